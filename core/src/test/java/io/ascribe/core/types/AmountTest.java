package io.ascribe.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AmountTest {
  @Test
  void parsesDecimalOpenIntoWei() {
    assertThat(Amount.parseOpen("1.5")).isEqualTo(new BigInteger("1500000000000000000"));
    assertThat(Amount.parseOpen("1")).isEqualTo(Amount.ONE_OPEN);
    assertThat(Amount.parseOpen("0")).isZero();
    assertThat(Amount.parseOpen(" 2 ")).isEqualTo(Amount.ONE_OPEN.multiply(BigInteger.TWO));
    assertThat(Amount.parseOpen("0.000000000000000001")).isEqualTo(BigInteger.ONE);
    // Trailing zeros past the 18th decimal change nothing, so they are allowed.
    assertThat(Amount.parseOpen("0.10000000000000000000")).isEqualTo(BigInteger.TEN.pow(17));
  }

  @Test
  void rejectsNineteenDecimals() {
    assertThatThrownBy(() -> Amount.parseOpen("0.0000000000000000001"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("18 decimals");
  }

  @Test
  void rejectsNegativeNonNumericAndTooLarge() {
    assertThatThrownBy(() -> Amount.parseOpen("-1")).hasMessageContaining("negative");
    assertThatThrownBy(() -> Amount.parseOpen("1,5")).hasMessageContaining("not a decimal");
    assertThatThrownBy(() -> Amount.parseOpen("")).hasMessageContaining("not a decimal");
    // 2^256 wei is one wei too many.
    String tooMuch = Amount.formatOpen(Amount.MAX.add(BigInteger.ONE));
    assertThatThrownBy(() -> Amount.parseOpen(tooMuch)).hasMessageContaining("uint256");
    assertThat(Amount.parseOpen(Amount.formatOpen(Amount.MAX))).isEqualTo(Amount.MAX);
  }

  @Test
  void formatsWithoutTrailingZeros() {
    assertThat(Amount.formatOpen(new BigInteger("1500000000000000000"))).isEqualTo("1.5");
    assertThat(Amount.formatOpen(BigInteger.ZERO)).isEqualTo("0");
    assertThat(Amount.formatOpen(BigInteger.ONE)).isEqualTo("0.000000000000000001");
    assertThat(Amount.formatOpen(BigInteger.TEN.pow(19))).isEqualTo("10");
    assertThat(Amount.formatOpen(BigInteger.TEN.pow(24))).isEqualTo("1000000");
  }

  @Test
  void parseAndFormatRoundTrip() {
    Random random = new Random(18);
    for (int i = 0; i < 200; i++) {
      BigInteger wei = new BigInteger(random.nextInt(257), random);
      assertThat(Amount.parseOpen(Amount.formatOpen(wei))).isEqualTo(wei);
    }
  }

  @Test
  void encodesCanonically() {
    assertThat(Amount.encode(BigInteger.ZERO)).isEmpty();
    assertThat(Amount.encode(BigInteger.valueOf(255))).containsExactly(0xff);
    assertThat(Amount.encode(BigInteger.valueOf(256))).containsExactly(0x01, 0x00);
    assertThat(Amount.encode(Amount.MAX)).hasSize(32).containsOnly((byte) 0xff);
    assertThatThrownBy(() -> Amount.encode(BigInteger.valueOf(-1)))
        .hasMessageContaining("out of uint256 range");
    assertThatThrownBy(() -> Amount.encode(Amount.MAX.add(BigInteger.ONE)))
        .hasMessageContaining("out of uint256 range");
  }

  @Test
  void decodeRejectsNonCanonicalBytes() {
    assertThat(Amount.decode(new byte[0], "fee")).isZero();
    assertThat(Amount.decode(new byte[] {0x01, 0x00}, "fee")).isEqualTo(BigInteger.valueOf(256));
    assertThatThrownBy(() -> Amount.decode(new byte[] {0x00, 0x01}, "fee"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fee has a leading zero byte (not canonical)");
    assertThatThrownBy(() -> Amount.decode(new byte[] {0x00}, "amount"))
        .hasMessageContaining("leading zero byte");
    byte[] thirtyThree = new byte[33];
    thirtyThree[0] = 1;
    assertThatThrownBy(() -> Amount.decode(thirtyThree, "amount"))
        .hasMessage("amount is longer than 32 bytes");
  }

  @Test
  void encodeThenDecodeRoundTrips() {
    Random random = new Random(256);
    for (int i = 0; i < 200; i++) {
      BigInteger value = new BigInteger(random.nextInt(257), random);
      assertThat(Amount.decode(Amount.encode(value), "value")).isEqualTo(value);
    }
  }
}
