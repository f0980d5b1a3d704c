package io.ascribe.core.merkle;

import io.ascribe.core.types.Address;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;

/**
 * Solidity's {@code abi.encode} for static types, enough to build the leaves contracts check: each
 * value is one 32-byte word, and {@code abi.encode(a, b)} is {@code encode(address(a),
 * uint256(b))}. Numbers are big-endian and left-padded; an address sits in the word's last 20
 * bytes.
 */
public final class AbiEncoding {
  public static final int WORD = 32;

  private AbiEncoding() {}

  public static byte[] address(Address address) {
    byte[] word = new byte[WORD];
    System.arraycopy(address.toArray(), 0, word, WORD - Address.SIZE, Address.SIZE);
    return word;
  }

  /**
   * @throws IllegalArgumentException when {@code value} is negative or above 2^256 - 1
   */
  public static byte[] uint256(BigInteger value) {
    if (value.signum() < 0 || value.bitLength() > 256) {
      throw new IllegalArgumentException("uint256 out of range: " + value);
    }
    // toByteArray may add a leading zero sign byte (33 bytes for values of 256 bits).
    byte[] raw = value.toByteArray();
    int skip = raw.length - Math.min(raw.length, WORD);
    byte[] word = new byte[WORD];
    System.arraycopy(raw, skip, word, WORD - (raw.length - skip), raw.length - skip);
    return word;
  }

  /** Concatenates words into the encoding of a tuple of static values. */
  public static byte[] encode(byte[]... words) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(words.length * WORD);
    for (byte[] word : words) {
      if (word.length != WORD) {
        throw new IllegalArgumentException("an ABI word is 32 bytes, got " + word.length);
      }
      out.writeBytes(word);
    }
    return out.toByteArray();
  }
}
