package io.ascribe.core.types;

import java.util.Arrays;

/** A 32-byte digest (keccak256 unless said otherwise); immutable, compared by value. */
public final class Hash implements Comparable<Hash> {
  public static final int SIZE = 32;
  public static final Hash ZERO = new Hash(new byte[SIZE]);

  private final byte[] bytes;

  private Hash(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Takes ownership of {@code bytes}, which must be 32 long. */
  public static Hash wrap(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new IllegalArgumentException("a hash is 32 bytes, got " + bytes.length);
    }
    return new Hash(bytes);
  }

  public static Hash copyOf(byte[] bytes) {
    return wrap(bytes.clone());
  }

  public static Hash fromHex(String hex) {
    return wrap(Hex.decode(hex));
  }

  public byte[] toArray() {
    return bytes.clone();
  }

  /** Bit {@code index} counted from the most significant bit of byte 0. */
  public boolean bit(int index) {
    return ((bytes[index >>> 3] >>> (7 - (index & 7))) & 1) == 1;
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public int compareTo(Hash other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hash h && Arrays.equals(bytes, h.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
