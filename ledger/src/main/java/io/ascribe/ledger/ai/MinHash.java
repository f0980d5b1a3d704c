package io.ascribe.ledger.ai;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A MinHash signature of a text's shingles: for each of {@link #SLOTS} seeded hash functions, the
 * least hash over all shingles. The fraction of equal slots between two signatures estimates the
 * Jaccard similarity of the two shingle sets, which is how the ledger spots near-duplicate
 * contributions without seeing their text. The ledger only compares signatures; {@link #ofText} is
 * the reference way clients compute them from a record's text.
 */
public final class MinHash {
  /** Slots in every signature: 64 gives a similarity estimate within about ±6% (one sigma). */
  public static final int SLOTS = 64;

  /** Words per shingle: long enough that unrelated texts share almost none. */
  public static final int SHINGLE_WORDS = 5;

  /** What separates words: anything but letters, digits and combining marks. */
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}\\p{M}]+");

  private final long[] values;

  private MinHash(long[] values) {
    this.values = values;
  }

  /**
   * @throws IllegalArgumentException unless there are exactly {@link #SLOTS} values
   */
  public static MinHash of(List<Long> values) {
    if (values.size() != SLOTS) {
      throw new IllegalArgumentException(
          "a MinHash signature has " + SLOTS + " values, got " + values.size());
    }
    return new MinHash(values.stream().mapToLong(Long::longValue).toArray());
  }

  /** The signature of a text's {@link #shingles}. */
  public static MinHash ofText(String text) {
    return of(shingles(text));
  }

  /**
   * The text's {@value #SHINGLE_WORDS}-word windows, after NFKC normalisation and lower-casing,
   * with words cut at anything but letters, digits and combining marks: so case, punctuation and
   * spacing do not hide a copy. A shorter text is one shingle of all its words; a text without
   * words has none (and a signature that equals every other such signature).
   */
  public static Set<String> shingles(String text) {
    String normal = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    List<String> words =
        Arrays.stream(NON_WORD.split(normal)).filter(word -> !word.isEmpty()).toList();
    if (words.size() <= SHINGLE_WORDS) {
      return words.isEmpty() ? Set.of() : Set.of(String.join(" ", words));
    }
    Set<String> shingles = new LinkedHashSet<>();
    for (int i = 0; i + SHINGLE_WORDS <= words.size(); i++) {
      shingles.add(String.join(" ", words.subList(i, i + SHINGLE_WORDS)));
    }
    return shingles;
  }

  /** The signature of a set of shingles (e.g. {@link #shingles} of a text). */
  public static MinHash of(Collection<String> shingles) {
    long[] values = new long[SLOTS];
    Arrays.fill(values, Long.MAX_VALUE);
    for (String shingle : shingles) {
      long base = fnv1a(shingle.getBytes(StandardCharsets.UTF_8));
      for (int slot = 0; slot < SLOTS; slot++) {
        // Unsigned comparison so the order is the same as the uint64 values on the wire.
        long h = mix(base ^ (0x9E3779B97F4A7C15L * (slot + 1)));
        if (Long.compareUnsigned(h, values[slot]) < 0) {
          values[slot] = h;
        }
      }
    }
    return new MinHash(values);
  }

  public long value(int slot) {
    return values[slot];
  }

  public List<Long> values() {
    return Arrays.stream(values).boxed().toList();
  }

  /** Equal slots out of {@link #SLOTS}, in basis points (10,000 = identical signatures). */
  public int similarityBps(MinHash other) {
    int equal = 0;
    for (int i = 0; i < SLOTS; i++) {
      if (values[i] == other.values[i]) {
        equal++;
      }
    }
    return equal * 10_000 / SLOTS;
  }

  private static long fnv1a(byte[] bytes) {
    long h = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64's finaliser: spreads every input bit over the whole word. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MinHash other && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "MinHash" + Arrays.toString(values);
  }
}
