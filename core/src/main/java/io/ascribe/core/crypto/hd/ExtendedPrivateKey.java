package io.ascribe.core.crypto.hd;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Secp256k1;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.util.BigIntegers;

/**
 * A BIP-32 extended private key on secp256k1: a private key plus the 32-byte chain code that,
 * together, derive child keys. Start from a seed ({@link #fromSeed}, usually {@link Bip39#seed})
 * and follow a {@link DerivationPath}: {@code
 * ExtendedPrivateKey.fromSeed(seed).derive(DerivationPath.ethereum(0)).privateKey()} is the key a
 * wallet shows as account 0. Only private derivation is provided; extended public keys and the
 * {@code xprv} text form are not needed by the node.
 */
public final class ExtendedPrivateKey {
  private static final byte[] MASTER_HMAC_KEY = "Bitcoin seed".getBytes(StandardCharsets.US_ASCII);

  private final PrivateKey key;
  private final byte[] chainCode;

  private ExtendedPrivateKey(PrivateKey key, byte[] chainCode) {
    this.key = key;
    this.chainCode = chainCode;
  }

  /**
   * The master key of {@code seed} (16 to 64 bytes, BIP-32's range).
   *
   * @throws IllegalArgumentException when the seed length is out of range or, with probability
   *     below 2^-127, the seed yields no valid key
   */
  public static ExtendedPrivateKey fromSeed(byte[] seed) {
    if (seed.length < 16 || seed.length > 64) {
      throw new IllegalArgumentException("a BIP-32 seed is 16 to 64 bytes, got " + seed.length);
    }
    return fromHmac(hmacSha512(MASTER_HMAC_KEY, seed), BigInteger.ZERO);
  }

  /** The key at {@code path} below this one. */
  public ExtendedPrivateKey derive(DerivationPath path) {
    ExtendedPrivateKey current = this;
    for (int index : path.indices()) {
      current = current.child(index);
    }
    return current;
  }

  /**
   * The child at {@code index}; hardened when {@link DerivationPath#HARDENED} is set. A hardened
   * child is derived from the parent's private key, a normal one from its public key, so that (in
   * BIP-32) a watcher holding only the extended public key could derive normal children too.
   *
   * @throws IllegalArgumentException with probability below 2^-127, when BIP-32 says this index has
   *     no key and the caller should use the next one
   */
  public ExtendedPrivateKey child(int index) {
    byte[] parentKey = key.toBytes();
    ByteBuffer data = ByteBuffer.allocate(37);
    if ((index & DerivationPath.HARDENED) != 0) {
      data.put((byte) 0).put(parentKey);
    } else {
      data.put(compressedPublicKey());
    }
    data.putInt(index);
    return fromHmac(hmacSha512(chainCode, data.array()), new BigInteger(1, parentKey));
  }

  public PrivateKey privateKey() {
    return key;
  }

  public byte[] chainCode() {
    return chainCode.clone();
  }

  /**
   * Splits HMAC output I into I_L (added to {@code parentSecret} mod n to give the key) and I_R
   * (the chain code). The master key uses a parent secret of zero.
   */
  private static ExtendedPrivateKey fromHmac(byte[] i, BigInteger parentSecret) {
    BigInteger tweak = new BigInteger(1, Arrays.copyOfRange(i, 0, 32));
    BigInteger secret = tweak.add(parentSecret).mod(Secp256k1.N);
    if (tweak.compareTo(Secp256k1.N) >= 0 || secret.signum() == 0) {
      throw new IllegalArgumentException("BIP-32: this index yields no valid key; use the next");
    }
    return new ExtendedPrivateKey(
        PrivateKey.fromBytes(BigIntegers.asUnsignedByteArray(32, secret)),
        Arrays.copyOfRange(i, 32, 64));
  }

  /** SEC 1 compressed form: 0x02 or 0x03 (the parity of y), then x. */
  private byte[] compressedPublicKey() {
    byte[] xy = key.publicKey().toXy();
    byte[] out = new byte[33];
    out[0] = (byte) ((xy[63] & 1) == 0 ? 0x02 : 0x03);
    System.arraycopy(xy, 0, out, 1, 32);
    return out;
  }

  private static byte[] hmacSha512(byte[] key, byte[] data) {
    HMac hmac = new HMac(new SHA512Digest());
    hmac.init(new KeyParameter(key));
    hmac.update(data, 0, data.length);
    byte[] out = new byte[64];
    hmac.doFinal(out, 0);
    return out;
  }

  /** Names the address only, so a key never ends up in a log. */
  @Override
  public String toString() {
    return "ExtendedPrivateKey(" + key.address() + ")";
  }
}
