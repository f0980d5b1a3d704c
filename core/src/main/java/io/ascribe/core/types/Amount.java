package io.ascribe.core.types;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Token amounts: uint256 values in wei (1 OPEN = 10^18 wei). On the wire an amount is big-endian
 * with no leading zero bytes; zero is the empty string, so each value has one encoding.
 */
public final class Amount {
  public static final int DECIMALS = 18;
  public static final BigInteger ONE_OPEN = BigInteger.TEN.pow(DECIMALS);
  public static final BigInteger MAX = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);

  private Amount() {}

  /** Decodes a canonical uint256, naming {@code field} in the error. */
  public static BigInteger decode(byte[] bytes, String field) {
    if (bytes.length > 32) {
      throw new IllegalArgumentException(field + " is longer than 32 bytes");
    }
    if (bytes.length > 0 && bytes[0] == 0) {
      throw new IllegalArgumentException(field + " has a leading zero byte (not canonical)");
    }
    return new BigInteger(1, bytes);
  }

  public static byte[] encode(BigInteger value) {
    if (value.signum() < 0 || value.compareTo(MAX) > 0) {
      throw new IllegalArgumentException("amount out of uint256 range: " + value);
    }
    if (value.signum() == 0) {
      return new byte[0];
    }
    byte[] raw = value.toByteArray();
    return raw[0] == 0 ? java.util.Arrays.copyOfRange(raw, 1, raw.length) : raw;
  }

  /** Parses a decimal OPEN amount such as {@code 1.5} into wei. */
  public static BigInteger parseOpen(String text) {
    BigDecimal open;
    try {
      open = new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a decimal OPEN amount: \"" + text + "\"");
    }
    if (open.signum() < 0) {
      throw new IllegalArgumentException("amount must not be negative: " + text);
    }
    BigDecimal wei = open.movePointRight(DECIMALS);
    if (wei.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException("OPEN has 18 decimals; " + text + " has more");
    }
    BigInteger value = wei.toBigIntegerExact();
    if (value.compareTo(MAX) > 0) {
      throw new IllegalArgumentException("amount does not fit in uint256: " + text);
    }
    return value;
  }

  /** Formats wei as a decimal OPEN amount without trailing zeros. */
  public static String formatOpen(BigInteger wei) {
    BigDecimal open = new BigDecimal(wei).movePointLeft(DECIMALS).stripTrailingZeros();
    return open.scale() < 0 ? open.setScale(0).toPlainString() : open.toPlainString();
  }
}
