package io.ascribe.ledger.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The reference text signature: what every client computes for a record before contributing. */
class MinHashTest {
  /**
   * Slots 0 and 63 of the sentence below, from a separate Python script of the same definition
   * (FNV-1a 64 of each shingle, xor (slot + 1) times the golden-ratio constant, SplitMix64's
   * finaliser, unsigned minimum), printed as signed longs.
   */
  private static final long SLOT_0 = 8150477242555161284L;

  private static final long SLOT_63 = 2436297855041363583L;

  @Test
  void shinglesAreFiveWordWindowsOfTheNormalisedWords() {
    assertThat(MinHash.shingles("One two three four five six"))
        .containsExactly("one two three four five", "two three four five six");
    assertThat(MinHash.shingles("Just three words")).containsExactly("just three words");
    assertThat(MinHash.shingles(" -- !? ")).isEmpty();
  }

  @Test
  void caseSpacingPunctuationAndCompatibilityFormsDoNotHideACopy() {
    String text = "The ﬁle was saved, then the FILE was closed; nobody opened it again.";
    String copy = "the file was saved then\n the file   was closed nobody opened it again";

    assertThat(MinHash.ofText(copy)).isEqualTo(MinHash.ofText(text));
  }

  @Test
  void aNearCopyIsFarMoreSimilarThanARewrite() {
    List<String> words = words(200, new Random(3));
    List<String> near = new ArrayList<>(words);
    near.set(100, "changed");
    List<String> rewrite = new ArrayList<>(words);
    for (int i = 0; i < rewrite.size(); i += 3) {
      rewrite.set(i, "other" + i);
    }
    MinHash original = MinHash.ofText(String.join(" ", words));

    assertThat(original.similarityBps(MinHash.ofText(String.join(" ", near))))
        .isGreaterThanOrEqualTo(9_000);
    assertThat(original.similarityBps(MinHash.ofText(String.join(" ", rewrite)))).isLessThan(2_000);
  }

  @Test
  void theHashFunctionsAreFixed() {
    // Clients in any language must compute the same signature: a change here is a protocol change.
    MinHash signature = MinHash.ofText("the quick brown fox jumps over the lazy dog");

    assertThat(signature.value(0)).isEqualTo(SLOT_0);
    assertThat(signature.value(MinHash.SLOTS - 1)).isEqualTo(SLOT_63);
  }

  private static List<String> words(int count, Random random) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      words.add("w" + random.nextInt(5_000));
    }
    return words;
  }
}
