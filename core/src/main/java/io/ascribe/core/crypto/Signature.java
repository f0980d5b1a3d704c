package io.ascribe.core.crypto;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * A recoverable secp256k1 signature (r, s, recovery id) with s in the lower half of the group
 * order, so each signature has exactly one valid encoding (no malleability). Wire form: 65 bytes, r
 * ‖ s ‖ recovery id (0 or 1).
 */
public record Signature(BigInteger r, BigInteger s, int recoveryId) {
  public static final int SIZE = 65;

  public Signature {
    if (r.signum() <= 0 || r.compareTo(Secp256k1.N) >= 0) {
      throw new IllegalArgumentException("signature r is out of range");
    }
    if (s.signum() <= 0 || s.compareTo(Secp256k1.N) >= 0) {
      throw new IllegalArgumentException("signature s is out of range");
    }
    if (s.compareTo(Secp256k1.HALF_N) > 0) {
      throw new IllegalArgumentException(
          "signature s is in the upper half of the curve order (high-s); sign with a library that"
              + " normalises s to low-s");
    }
    if (recoveryId != 0 && recoveryId != 1) {
      throw new IllegalArgumentException("signature recovery id must be 0 or 1, got " + recoveryId);
    }
  }

  /** Decodes the 65-byte wire form, rejecting any non-canonical signature with the reason. */
  public static Signature fromBytes(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new IllegalArgumentException("a signature is 65 bytes, got " + bytes.length);
    }
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(bytes, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(bytes, 32, 64));
    return new Signature(r, s, bytes[64]);
  }

  public byte[] toBytes() {
    byte[] out = new byte[SIZE];
    copyUnsigned(r, out, 0);
    copyUnsigned(s, out, 32);
    out[64] = (byte) recoveryId;
    return out;
  }

  static void copyUnsigned(BigInteger value, byte[] out, int offset) {
    byte[] raw = value.toByteArray();
    int skip = raw.length > 32 ? raw.length - 32 : 0;
    System.arraycopy(raw, skip, out, offset + 32 - (raw.length - skip), raw.length - skip);
  }
}
