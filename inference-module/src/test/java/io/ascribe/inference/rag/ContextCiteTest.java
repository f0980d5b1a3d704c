package io.ascribe.inference.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContextCiteTest {
  /** The ledger's devnet tolerance: 100 bps × 100 ppm (ai.inference.scoreSumToleranceBps). */
  static final long DEVNET_TOLERANCE_PPM = 100 * 100;

  @Test
  void theSurrogateRecoversALinearEffect() {
    boolean[][] masks = ContextCite.masks(5, 32, 11);
    double[] y = new double[masks.length];
    double[] truth = {2.0, -1.0, 0.0, 0.5, 0.0};
    for (int i = 0; i < masks.length; i++) {
      y[i] = -4;
      for (int j = 0; j < 5; j++) {
        y[i] += masks[i][j] ? truth[j] : 0;
      }
    }
    assertThat(ContextCite.fit(masks, y, 0)).containsExactly(truth, within(1e-9));
    // The small ridge of the defaults barely moves the weights.
    assertThat(ContextCite.fit(masks, y, 0.01)).containsExactly(truth, within(1e-2));
    // More documents than masks: the ridge still gives a finite answer.
    boolean[][] few = ContextCite.masks(32, 8, 1);
    assertThat(ContextCite.fit(few, new double[8], 0.01)).hasSize(32).containsOnly(0.0, -0.0);
  }

  @Test
  void masksAreSeeded() {
    assertThat(ContextCite.masks(6, 10, 4)).isDeepEqualTo(ContextCite.masks(6, 10, 4));
    assertThat(ContextCite.masks(6, 10, 4)).isNotEqualTo(ContextCite.masks(6, 10, 5));
  }

  @Test
  void ppmSharesSumToAMillionAsTheLedgerRequires() {
    Map<String, Long> ppm =
        ContextCite.toPpm(
            List.of(
                new Citation("a", 1.0),
                new Citation("b", 1.0),
                new Citation("c", 1.0),
                new Citation("d", -0.5),
                new Citation("e", 0.0)));
    // Thirds of a million: the remainder ppm goes to the earliest citation.
    assertThat(ppm)
        .containsExactly(
            Map.entry("a", 333_334L),
            Map.entry("b", 333_333L),
            Map.entry("c", 333_333L),
            Map.entry("d", -166_666L),
            Map.entry("e", 0L));
    assertLedgerAccepts(ppm);

    // A strongly negative document is clamped at -1,000,000.
    Map<String, Long> clamped =
        ContextCite.toPpm(List.of(new Citation("a", 0.1), new Citation("b", -5.0)));
    assertThat(clamped).containsExactly(Map.entry("a", 1_000_000L), Map.entry("b", -1_000_000L));
    assertLedgerAccepts(clamped);

    // Nothing positive: equal shares.
    Map<String, Long> equal =
        ContextCite.toPpm(
            List.of(new Citation("a", 0), new Citation("b", -1), new Citation("c", 0)));
    assertThat(equal)
        .containsExactly(
            Map.entry("a", 333_334L), Map.entry("b", 333_333L), Map.entry("c", 333_333L));
    assertLedgerAccepts(equal);

    // Uneven shares with fractional parts of every size still sum exactly.
    Map<String, Long> uneven =
        ContextCite.toPpm(
            List.of(
                new Citation("a", 0.123456789),
                new Citation("b", 3.3),
                new Citation("c", 1e-9),
                new Citation("d", 7.77)));
    assertLedgerAccepts(uneven);
    assertThat(uneven.get("c")).isBetween(0L, 1L);

    assertThatThrownBy(() -> ContextCite.toPpm(List.of(new Citation("a", 1), new Citation("a", 2))))
        .hasMessageContaining("cited twice");
    assertThatThrownBy(() -> ContextCite.toPpm(List.of(new Citation("a", Double.NaN))))
        .hasMessageContaining("score NaN");
  }

  // InferenceReceiptRules.checkScores: each score within ±1,000,000 and the positive ones summing
  // to 1,000,000 within the tolerance; ours sum exactly.
  private static void assertLedgerAccepts(Map<String, Long> ppm) {
    assertThat(ppm.values())
        .allSatisfy(v -> assertThat(Math.abs(v)).isLessThanOrEqualTo(1_000_000));
    long positive = ppm.values().stream().filter(v -> v > 0).mapToLong(Long::longValue).sum();
    assertThat(positive).isEqualTo(ContextCite.ONE_PPM);
    assertThat(Math.abs(positive - 1_000_000)).isLessThanOrEqualTo(DEVNET_TOLERANCE_PPM);
  }
}
