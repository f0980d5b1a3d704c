package io.ascribe.core.types;

import io.ascribe.core.crypto.Keccak;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A 20-byte account address, Ethereum's: the last 20 bytes of keccak256 of the uncompressed public
 * key, so one key works on Ascribe and on the EVM chain. Its text form is EIP-55 mixed-case hex.
 */
public final class Address implements Comparable<Address> {
  public static final int SIZE = 20;

  /** 0x00…00: nobody's key hashes to it, so it stands for "no address" (EVM convention). */
  public static final Address ZERO = new Address(new byte[SIZE]);

  private final byte[] bytes;

  private Address(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Address wrap(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new IllegalArgumentException("an address is 20 bytes, got " + bytes.length);
    }
    return new Address(bytes.clone());
  }

  /**
   * Parses {@code 0x}-prefixed hex. All-lower or all-upper case is accepted as is; mixed case must
   * carry a valid EIP-55 checksum, since a wrong one means a typo.
   */
  public static Address fromHex(String text) {
    byte[] raw = Hex.decode(text);
    if (raw.length != SIZE) {
      throw new IllegalArgumentException(
          "an address is 20 bytes (40 hex digits), got " + raw.length + " bytes");
    }
    Address address = new Address(raw);
    String digits = text.substring(text.startsWith("0x") || text.startsWith("0X") ? 2 : 0);
    boolean mixed = !digits.equals(digits.toLowerCase()) && !digits.equals(digits.toUpperCase());
    if (mixed && !address.toString().substring(2).equals(digits)) {
      throw new IllegalArgumentException(
          "address " + text + " has a wrong EIP-55 checksum; expected " + address);
    }
    return address;
  }

  public byte[] toArray() {
    return bytes.clone();
  }

  /** EIP-55 checksummed text. */
  @Override
  public String toString() {
    String lower = Hex.encode(bytes).substring(2);
    byte[] hash = Keccak.hash(lower.getBytes(StandardCharsets.US_ASCII)).toArray();
    StringBuilder out = new StringBuilder("0x");
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      int nibble = (hash[i / 2] >>> (i % 2 == 0 ? 4 : 0)) & 0xf;
      out.append(Character.isLetter(c) && nibble >= 8 ? Character.toUpperCase(c) : c);
    }
    return out.toString();
  }

  @Override
  public int compareTo(Address other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Address a && Arrays.equals(bytes, a.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
