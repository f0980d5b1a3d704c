package io.ascribe.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HexTest {
  @Test
  void decodesWithOrWithoutPrefixInEitherCase() {
    byte[] expected = {0x00, (byte) 0xab, (byte) 0xcd, 0x7f};
    assertThat(Hex.decode("0x00abcd7f")).isEqualTo(expected);
    assertThat(Hex.decode("0X00ABCD7F")).isEqualTo(expected);
    assertThat(Hex.decode("00AbCd7f")).isEqualTo(expected);
    assertThat(Hex.decode("0x")).isEmpty();
    assertThat(Hex.decode("")).isEmpty();
  }

  @Test
  void encodesLowerCaseWithPrefix() {
    assertThat(Hex.encode(new byte[] {0x00, (byte) 0xAB})).isEqualTo("0x00ab");
    assertThat(Hex.encode(new byte[0])).isEqualTo("0x");
  }

  @Test
  void oddLengthIsRejected() {
    assertThatThrownBy(() -> Hex.decode("0xabc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("odd number of digits")
        .hasMessageContaining("\"0xabc\"");
  }

  @Test
  void nonHexDigitIsRejectedWithItsPosition() {
    assertThatThrownBy(() -> Hex.decode("0x12g4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a hex digit 'g' at position 2");
    // A second 0x is not a prefix.
    assertThatThrownBy(() -> Hex.decode("0x0x12")).hasMessageContaining("'x' at position 1");
    assertThatThrownBy(() -> Hex.decode("12 4")).hasMessageContaining("' ' at position 2");
  }

  @Test
  void nullIsRejected() {
    assertThatThrownBy(() -> Hex.decode(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got null");
  }

  @Test
  void longInputIsAbbreviatedInMessages() {
    String longBad = "0x" + "ab".repeat(40) + "z0";
    assertThatThrownBy(() -> Hex.decode(longBad))
        .hasMessageContaining("position 80")
        .hasMessageContaining("...\"")
        .hasMessageNotContaining(longBad);
  }
}
