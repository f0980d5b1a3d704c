package io.ascribe.core.types;

import java.util.HexFormat;

/** Hex text with an optional {@code 0x} prefix, as Ethereum tools write it. */
public final class Hex {
  private static final HexFormat LOWER = HexFormat.of();

  private Hex() {}

  /** Lower-case hex with a {@code 0x} prefix. */
  public static String encode(byte[] bytes) {
    return "0x" + LOWER.formatHex(bytes);
  }

  /**
   * Decodes hex text, with or without {@code 0x}.
   *
   * @throws IllegalArgumentException naming what is wrong (odd length, a non-hex character)
   */
  public static byte[] decode(String text) {
    if (text == null) {
      throw new IllegalArgumentException("expected hex text, got null");
    }
    String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
    if (digits.length() % 2 != 0) {
      throw new IllegalArgumentException(
          "hex text has an odd number of digits: " + abbreviate(text));
    }
    for (int i = 0; i < digits.length(); i++) {
      if (Character.digit(digits.charAt(i), 16) < 0) {
        throw new IllegalArgumentException(
            "not a hex digit '"
                + digits.charAt(i)
                + "' at position "
                + i
                + " in "
                + abbreviate(text));
      }
    }
    return LOWER.parseHex(digits);
  }

  /** An Ethereum-style quantity: {@code 0x} and hex digits without leading zeros ("0x0" for 0). */
  public static String quantity(java.math.BigInteger value) {
    if (value.signum() < 0) {
      throw new IllegalArgumentException("a quantity is never negative: " + value);
    }
    return "0x" + value.toString(16);
  }

  public static String quantity(long value) {
    return quantity(java.math.BigInteger.valueOf(value));
  }

  /**
   * Parses an Ethereum-style quantity.
   *
   * @throws IllegalArgumentException when it lacks {@code 0x}, has leading zeros or non-hex digits
   */
  public static java.math.BigInteger parseQuantity(String text) {
    if (text == null || !text.startsWith("0x") || text.length() == 2) {
      throw new IllegalArgumentException(
          "expected a hex quantity such as 0x1a, got "
              + (text == null ? "null" : abbreviate(text)));
    }
    String digits = text.substring(2);
    if (digits.length() > 1 && digits.charAt(0) == '0') {
      throw new IllegalArgumentException("hex quantity " + abbreviate(text) + " has leading zeros");
    }
    for (int i = 0; i < digits.length(); i++) {
      if (Character.digit(digits.charAt(i), 16) < 0) {
        throw new IllegalArgumentException("not a hex quantity: " + abbreviate(text));
      }
    }
    return new java.math.BigInteger(digits, 16);
  }

  private static String abbreviate(String text) {
    return text.length() <= 24 ? '"' + text + '"' : '"' + text.substring(0, 21) + "...\"";
  }
}
