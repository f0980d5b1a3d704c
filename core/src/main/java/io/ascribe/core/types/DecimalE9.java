package io.ascribe.core.types;

import java.math.BigDecimal;

/**
 * The chain's fixed-point figures (learning rates, losses, ROUGE, influence scores), kept as whole
 * numbers times 10^9 so every node computes with the same integers, read and written as the
 * decimals people use: {@code 200000} is {@code "0.0002"}.
 */
public final class DecimalE9 {
  private static final int DECIMALS = 9;

  private DecimalE9() {}

  /** The decimal {@code e9} stands for, without trailing zeros: {@code -500000000} is "-0.5". */
  public static String format(long e9) {
    BigDecimal value = BigDecimal.valueOf(e9, DECIMALS).stripTrailingZeros();
    return value.scale() < 0 ? value.setScale(0).toPlainString() : value.toPlainString();
  }

  /**
   * A decimal such as {@code "0.0002"} times 10^9.
   *
   * @throws IllegalArgumentException when it is not a plain decimal, has more than 9 decimals, or
   *     does not fit
   */
  public static long parse(String text) {
    BigDecimal value;
    try {
      value = new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a decimal number: \"" + text + "\"");
    }
    BigDecimal scaled = value.movePointRight(DECIMALS);
    if (scaled.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException(
          "\"" + text + "\" has more than " + DECIMALS + " decimals");
    }
    try {
      return scaled.longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("\"" + text + "\" is too large");
    }
  }
}
