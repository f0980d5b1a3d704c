package io.ascribe.ledger;

import io.ascribe.ledger.ai.MinHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random texts for contribution tests: texts over a fixed vocabulary, near copies of them,
 * and their MinHash signatures over 5-word shingles (as a client computes them).
 */
public final class SeededTexts {
  private final Random random;
  private final List<String> vocabulary;

  public SeededTexts(long seed) {
    this.random = new Random(seed);
    Random words = new Random(1);
    List<String> list = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      StringBuilder w = new StringBuilder();
      for (int j = 0; j < 3 + words.nextInt(6); j++) {
        w.append((char) ('a' + words.nextInt(26)));
      }
      list.add(w.toString());
    }
    this.vocabulary = List.copyOf(list);
  }

  /** The random source the texts are drawn from, for a test's other seeded choices. */
  public Random random() {
    return random;
  }

  /** A random text of {@code length} words. */
  public String text(int length) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < length; i++) {
      words.add(vocabulary.get(random.nextInt(vocabulary.size())));
    }
    return String.join(" ", words);
  }

  /**
   * {@code text} with one word in {@code every} replaced: a near copy when {@code every} is large.
   */
  public String perturb(String text, int every) {
    String[] words = text.split(" ");
    for (int i = every / 2; i < words.length; i += every) {
      words[i] = vocabulary.get(random.nextInt(vocabulary.size()));
    }
    return String.join(" ", words);
  }

  /** The MinHash signature a client computes for the text (see {@link MinHash#ofText}). */
  public static long[] minhash(String text) {
    return MinHash.ofText(text).values().stream().mapToLong(Long::longValue).toArray();
  }
}
