package io.ascribe.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DecimalE9Test {
  @Test
  void fixedPointFiguresReadAndWriteAsPlainDecimals() {
    assertThat(DecimalE9.format(200_000)).isEqualTo("0.0002");
    assertThat(DecimalE9.format(-500_000_000)).isEqualTo("-0.5");
    assertThat(DecimalE9.format(3_000_000_000L)).isEqualTo("3");
    assertThat(DecimalE9.format(0)).isEqualTo("0");
    assertThat(DecimalE9.parse("0.0002")).isEqualTo(200_000);
    assertThat(DecimalE9.parse("2e-4")).isEqualTo(200_000);
    assertThat(DecimalE9.parse("1")).isEqualTo(1_000_000_000);
    for (long e9 : new long[] {1, -1, 123_456_789_012L, Long.MAX_VALUE}) {
      assertThat(DecimalE9.parse(DecimalE9.format(e9))).isEqualTo(e9);
    }
  }

  @Test
  void whatCannotBeKeptExactlyIsRefused() {
    assertThatThrownBy(() -> DecimalE9.parse("0.0000000001"))
        .hasMessage("\"0.0000000001\" has more than 9 decimals");
    assertThatThrownBy(() -> DecimalE9.parse("fast")).hasMessage("not a decimal number: \"fast\"");
    assertThatThrownBy(() -> DecimalE9.parse("1e20")).hasMessage("\"1e20\" is too large");
  }
}
