package io.ascribe.core.crypto;

import io.ascribe.core.types.Address;
import java.util.Arrays;

/** An uncompressed secp256k1 public key: the 64 bytes x ‖ y, without the 0x04 prefix. */
public final class PublicKey {
  private final byte[] xy;

  private PublicKey(byte[] xy) {
    this.xy = xy;
  }

  public static PublicKey fromXy(byte[] xy) {
    if (xy.length != 64) {
      throw new IllegalArgumentException(
          "an uncompressed public key is 64 bytes, got " + xy.length);
    }
    return new PublicKey(xy.clone());
  }

  public byte[] toXy() {
    return xy.clone();
  }

  /** The Ethereum address: the last 20 bytes of keccak256(x ‖ y). */
  public Address address() {
    byte[] hash = Keccak.hash(xy).toArray();
    return Address.wrap(Arrays.copyOfRange(hash, 12, 32));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublicKey p && Arrays.equals(xy, p.xy);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(xy);
  }
}
