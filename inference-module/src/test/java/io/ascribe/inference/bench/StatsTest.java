package io.ascribe.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Stats.median(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
    assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 100.0))).isEqualTo(3.5);
    assertThat(Stats.median(List.of())).isNaN();
  }

  @Test
  void standardErrorUsesTheSampleVariance() {
    // Mean 5; squared deviations 9+1+1+9 = 20; variance 20/3; s.e. sqrt(20/3)/2.
    List<Double> v = List.of(2.0, 4.0, 6.0, 8.0);
    assertThat(Stats.mean(v)).isEqualTo(5.0);
    assertThat(Stats.standardError(v)).isCloseTo(Math.sqrt(20.0 / 3) / 2, within(1e-12));
    assertThat(Stats.standardError(List.of(1.0, 1.0, 1.0))).isZero();
    assertThat(Stats.standardError(List.of(1.0))).isNaN();
  }
}
