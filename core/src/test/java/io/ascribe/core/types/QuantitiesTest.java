package io.ascribe.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class QuantitiesTest {
  @Test
  void writesZeroAsSingleDigitAndNoLeadingZeros() {
    assertThat(Quantities.toHex(0)).isEqualTo("0x0");
    assertThat(Quantities.toHex(26)).isEqualTo("0x1a");
    assertThat(Quantities.toHex(Long.MAX_VALUE)).isEqualTo("0x7fffffffffffffff");
    assertThat(Quantities.toHex(BigInteger.ZERO)).isEqualTo("0x0");
    assertThat(Quantities.toHex(BigInteger.ONE.shiftLeft(64))).isEqualTo("0x10000000000000000");
  }

  @Test
  void refusesNegativeNumbers() {
    assertThatThrownBy(() -> Quantities.toHex(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Quantities.toHex(BigInteger.valueOf(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesWhatItWrites() {
    assertThat(Quantities.parseLong("0x0")).isZero();
    assertThat(Quantities.parseLong("0x1a")).isEqualTo(26);
    assertThat(Quantities.parseLong("0x1A")).isEqualTo(26);
    assertThat(Quantities.parse("0x10000000000000000")).isEqualTo(BigInteger.ONE.shiftLeft(64));
  }

  @Test
  void rejectsAmbiguousOrMalformedText() {
    assertThatThrownBy(() -> Quantities.parse("0x01")).hasMessage("it has a leading zero");
    assertThatThrownBy(() -> Quantities.parse("0x00")).hasMessage("it has a leading zero");
    assertThatThrownBy(() -> Quantities.parse("1a")).hasMessage("it lacks the 0x prefix");
    assertThatThrownBy(() -> Quantities.parse("0X1a")).hasMessage("it lacks the 0x prefix");
    assertThatThrownBy(() -> Quantities.parse("0x")).hasMessage("it has no digits after 0x");
    assertThatThrownBy(() -> Quantities.parse("0x1g")).hasMessage("'g' is not a hex digit");
    assertThatThrownBy(() -> Quantities.parse("0x" + "f".repeat(65)))
        .hasMessage("it is longer than 256 bits");
  }

  @Test
  void parseLongRejectsValuesBeyondLong() {
    assertThatThrownBy(() -> Quantities.parseLong("0x8000000000000000"))
        .hasMessage("it exceeds 0x7fffffffffffffff");
  }
}
