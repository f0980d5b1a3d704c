package io.ascribe.core.types;

import java.math.BigInteger;

/**
 * Ethereum's "quantity" text for non-negative integers: lower-case {@code 0x} followed by hex
 * digits without leading zeros, so each number has exactly one form ({@code "0x0"}, {@code
 * "0x1a"}). Parsing is strict because a lenient parser would accept typos such as a missing prefix
 * that silently change the number.
 */
public final class Quantities {
  /** Quantities are at most 256 bits, the widest integer the chain uses. */
  public static final int MAX_BITS = 256;

  private Quantities() {}

  public static String toHex(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("a quantity is not negative, got " + value);
    }
    return "0x" + Long.toHexString(value);
  }

  public static String toHex(BigInteger value) {
    if (value.signum() < 0) {
      throw new IllegalArgumentException("a quantity is not negative, got " + value);
    }
    return "0x" + value.toString(16);
  }

  /**
   * Parses a quantity.
   *
   * @throws IllegalArgumentException saying what is wrong: no {@code 0x}, no digits, a leading
   *     zero, a non-hex character, or more than {@value #MAX_BITS} bits
   */
  public static BigInteger parse(String text) {
    if (!text.startsWith("0x")) {
      throw new IllegalArgumentException("it lacks the 0x prefix");
    }
    String digits = text.substring(2);
    if (digits.isEmpty()) {
      throw new IllegalArgumentException("it has no digits after 0x");
    }
    if (digits.length() > 1 && digits.charAt(0) == '0') {
      throw new IllegalArgumentException("it has a leading zero");
    }
    if (digits.length() > MAX_BITS / 4) {
      throw new IllegalArgumentException("it is longer than " + MAX_BITS + " bits");
    }
    for (int i = 0; i < digits.length(); i++) {
      if (Character.digit(digits.charAt(i), 16) < 0) {
        throw new IllegalArgumentException("'" + digits.charAt(i) + "' is not a hex digit");
      }
    }
    return new BigInteger(digits, 16);
  }

  /**
   * Parses a quantity that must fit a {@code long}.
   *
   * @throws IllegalArgumentException as {@link #parse}, or when the value exceeds {@link
   *     Long#MAX_VALUE}
   */
  public static long parseLong(String text) {
    BigInteger value = parse(text);
    if (value.bitLength() > 63) {
      throw new IllegalArgumentException("it exceeds " + toHex(Long.MAX_VALUE));
    }
    return value.longValueExact();
  }
}
