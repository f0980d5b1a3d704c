package io.ascribe.core.crypto;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import java.math.BigInteger;
import java.security.SecureRandom;

/** A secp256k1 private key, with its public key and address computed once. */
public final class PrivateKey {
  private final BigInteger secret;
  private final PublicKey publicKey;

  private PrivateKey(BigInteger secret) {
    if (secret.signum() <= 0 || secret.compareTo(Secp256k1.N) >= 0) {
      throw new IllegalArgumentException("a private key must be in [1, n-1] of secp256k1");
    }
    this.secret = secret;
    this.publicKey = Secp256k1.publicKeyOf(secret);
  }

  public static PrivateKey generate(SecureRandom random) {
    while (true) {
      byte[] raw = new byte[32];
      random.nextBytes(raw);
      BigInteger candidate = new BigInteger(1, raw);
      if (candidate.signum() > 0 && candidate.compareTo(Secp256k1.N) < 0) {
        return new PrivateKey(candidate);
      }
    }
  }

  public static PrivateKey fromBytes(byte[] raw) {
    if (raw.length != 32) {
      throw new IllegalArgumentException("a private key is 32 bytes, got " + raw.length);
    }
    return new PrivateKey(new BigInteger(1, raw));
  }

  public static PrivateKey fromHex(String hex) {
    return fromBytes(Hex.decode(hex));
  }

  public byte[] toBytes() {
    byte[] out = new byte[32];
    Signature.copyUnsigned(secret, out, 0);
    return out;
  }

  public String toHex() {
    return Hex.encode(toBytes());
  }

  BigInteger secret() {
    return secret;
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  public Address address() {
    return publicKey.address();
  }

  /** Signs a 32-byte digest deterministically (RFC 6979), with low s. */
  public Signature sign(Hash digest) {
    return Secp256k1.sign(this, digest);
  }

  @Override
  public String toString() {
    return "PrivateKey(" + address() + ")";
  }
}
