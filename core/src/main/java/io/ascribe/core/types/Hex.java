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

  private static String abbreviate(String text) {
    return text.length() <= 24 ? '"' + text + '"' : '"' + text.substring(0, 21) + "...\"";
  }
}
