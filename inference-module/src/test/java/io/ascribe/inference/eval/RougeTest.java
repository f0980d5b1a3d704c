package io.ascribe.inference.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Vectors worked by hand from rouge-score's definitions (tokeniser, clipped counts, LCS). */
class RougeTest {
  private static void check(Rouge.Score s, double p, double r, double f) {
    assertThat(s.precision()).isCloseTo(p, within(1e-12));
    assertThat(s.recall()).isCloseTo(r, within(1e-12));
    assertThat(s.fmeasure()).isCloseTo(f, within(1e-12));
  }

  @Test
  void tokenisesAsRougeScore() {
    assertThat(Rouge.tokenize("Hello, World! It's 2024... café_au-lait"))
        .containsExactly("hello", "world", "it", "s", "2024", "caf", "au", "lait");
    assertThat(Rouge.tokenize("  !!! ")).isEmpty();
  }

  @Test
  void catOnTheMat() {
    // the cat sat on the mat / the cat is on the mat: unigram overlap the×2, cat, on, mat = 5 of
    // 6; bigrams "the cat", "on the", "the mat" = 3 of 5; LCS "the cat on the mat" = 5 of 6.
    Rouge.Scores s = Rouge.score("The cat sat on the mat.", "the cat is on the mat");
    check(s.rouge1(), 5 / 6.0, 5 / 6.0, 5 / 6.0);
    check(s.rouge2(), 3 / 5.0, 3 / 5.0, 3 / 5.0);
    check(s.rougeL(), 5 / 6.0, 5 / 6.0, 5 / 6.0);
  }

  @Test
  void shortPredictionHasFullPrecisionAndHalfRecall() {
    // target a b c d, prediction a c: overlap 2, P = 2/2, R = 2/4, F = 2·1·½ / 1½ = 2/3; no
    // common bigram; LCS "a c" = 2.
    Rouge.Scores s = Rouge.score("a b c d", "a c");
    check(s.rouge1(), 1, 0.5, 2 / 3.0);
    check(s.rouge2(), 0, 0, 0);
    check(s.rougeL(), 1, 0.5, 2 / 3.0);
  }

  @Test
  void reversedOrderKeepsUnigramsButNotOrder() {
    Rouge.Scores s = Rouge.score("a b c d e", "e d c b a");
    check(s.rouge1(), 1, 1, 1);
    check(s.rouge2(), 0, 0, 0);
    check(s.rougeL(), 0.2, 0.2, 0.2);
  }

  @Test
  void repeatedWordsAreClipped() {
    // target "the the cat" has "the"×2; prediction "the the the the" gets credit for 2 of 4.
    Rouge.Scores s = Rouge.score("the the cat", "the the the the");
    check(s.rouge1(), 2 / 4.0, 2 / 3.0, 2 * 0.5 * (2 / 3.0) / (0.5 + 2 / 3.0));
    // bigrams: target (the the), (the cat); prediction (the the)×3 → overlap 1 of 3, recall 1/2.
    check(s.rouge2(), 1 / 3.0, 1 / 2.0, 0.4);
    check(s.rougeL(), 2 / 4.0, 2 / 3.0, 4 / 7.0);
  }

  @Test
  void anEmptySideScoresZero() {
    Rouge.Scores s = Rouge.score("some words", "...");
    check(s.rouge1(), 0, 0, 0);
    check(s.rouge2(), 0, 0, 0);
    check(s.rougeL(), 0, 0, 0);
    check(Rouge.score("", "").rougeL(), 0, 0, 0);
  }
}
