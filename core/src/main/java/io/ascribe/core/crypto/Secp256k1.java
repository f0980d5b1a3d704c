package io.ascribe.core.crypto;

import fr.acinq.secp256k1.Secp256k1Exception;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.custom.sec.SecP256K1Curve;

/**
 * secp256k1 signing and public-key recovery. Bouncy Castle is the reference implementation
 * (recovery follows SEC 1 v2, section 4.1.6); when the native libsecp256k1 (through ACINQ's
 * secp256k1-kmp JNI binding) loads, signing and recovery use it instead, since recovery is on the
 * hot path of every transaction. Both sign with RFC 6979 nonces and low s, so they produce the same
 * bytes. Setting the system property {@code ascribe.secp256k1=bouncycastle} forces the reference;
 * {@link #backend()} says which one is in use.
 */
public final class Secp256k1 {
  private static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256k1");
  static final ECDomainParameters DOMAIN =
      new ECDomainParameters(PARAMS.getCurve(), PARAMS.getG(), PARAMS.getN(), PARAMS.getH());
  public static final BigInteger N = PARAMS.getN();
  public static final BigInteger HALF_N = N.shiftRight(1);

  /** The system property that picks the implementation; only {@code bouncycastle} is meaningful. */
  public static final String BACKEND_PROPERTY = "ascribe.secp256k1";

  /** The native library, or null when it did not load or the reference was asked for. */
  private static final fr.acinq.secp256k1.Secp256k1 NATIVE = loadNative();

  private Secp256k1() {}

  private static fr.acinq.secp256k1.Secp256k1 loadNative() {
    if ("bouncycastle".equals(System.getProperty(BACKEND_PROPERTY))) {
      return null;
    }
    try {
      return fr.acinq.secp256k1.Secp256k1.get();
    } catch (Exception | LinkageError unavailable) {
      // No native build for this platform, or it cannot be extracted or linked. Core logs nothing;
      // callers that care report backend().
      return null;
    }
  }

  /** {@code "native"} when libsecp256k1 is in use, {@code "bouncycastle"} otherwise. */
  public static String backend() {
    return NATIVE != null ? "native" : "bouncycastle";
  }

  static PublicKey publicKeyOf(BigInteger secret) {
    ECPoint point = new FixedPointCombMultiplier().multiply(DOMAIN.getG(), secret).normalize();
    return PublicKey.fromXy(Arrays.copyOfRange(point.getEncoded(false), 1, 65));
  }

  static Signature sign(PrivateKey key, Hash digest) {
    return NATIVE != null ? signNative(key, digest) : signReference(key, digest);
  }

  static Signature signNative(PrivateKey key, Hash digest) {
    // libsecp256k1 signs with RFC 6979 and always returns low s, in the 64-byte form r ‖ s.
    byte[] compact = NATIVE.sign(digest.toArray(), key.toBytes(), null);
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(compact, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(compact, 32, 64));
    // The binding does not return the recovery id, so find the one that gives back the key.
    for (int recoveryId = 0; recoveryId < 2; recoveryId++) {
      Signature candidate = new Signature(r, s, recoveryId);
      if (key.publicKey().equals(recoverNative(digest, candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no recovery id reproduces the signing key");
  }

  static Signature signReference(PrivateKey key, Hash digest) {
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, new ECPrivateKeyParameters(key.secret(), DOMAIN));
    byte[] message = digest.toArray();
    BigInteger[] rs = signer.generateSignature(message);
    BigInteger r = rs[0];
    BigInteger s = rs[1].compareTo(HALF_N) > 0 ? N.subtract(rs[1]) : rs[1];
    for (int recoveryId = 0; recoveryId < 2; recoveryId++) {
      PublicKey candidate = recoverPoint(digest, r, s, recoveryId);
      if (key.publicKey().equals(candidate)) {
        return new Signature(r, s, recoveryId);
      }
    }
    throw new IllegalStateException("no recovery id reproduces the signing key");
  }

  /**
   * Recovers the signer's public key.
   *
   * @throws IllegalArgumentException when no key can have produced the signature
   */
  public static PublicKey recover(Hash digest, Signature signature) {
    PublicKey key =
        NATIVE != null ? recoverNative(digest, signature) : recoverReference(digest, signature);
    if (key == null) {
      throw new IllegalArgumentException("the signature does not match any public key");
    }
    return key;
  }

  /** The address that signed {@code digest}. */
  public static Address recoverAddress(Hash digest, Signature signature) {
    return recover(digest, signature).address();
  }

  /** Recovers with libsecp256k1; null when no key matches. */
  static PublicKey recoverNative(Hash digest, Signature signature) {
    byte[] compact = Arrays.copyOf(signature.toBytes(), 64);
    byte[] uncompressed;
    try {
      uncompressed = NATIVE.ecdsaRecover(compact, digest.toArray(), signature.recoveryId());
    } catch (Secp256k1Exception noKey) {
      return null;
    }
    return PublicKey.fromXy(Arrays.copyOfRange(uncompressed, 1, 65));
  }

  /** Recovers with Bouncy Castle; null when no key matches. */
  static PublicKey recoverReference(Hash digest, Signature signature) {
    return recoverPoint(digest, signature.r(), signature.s(), signature.recoveryId());
  }

  private static PublicKey recoverPoint(Hash digest, BigInteger r, BigInteger s, int recoveryId) {
    BigInteger prime = SecP256K1Curve.q;
    if (r.compareTo(prime) >= 0) {
      return null;
    }
    ECPoint rPoint = decompress(r, (recoveryId & 1) == 1);
    // secp256k1 has cofactor 1, so every point on the curve has order n: no order check needed.
    if (rPoint == null) {
      return null;
    }
    BigInteger e = new BigInteger(1, digest.toArray());
    BigInteger rInverse = r.modInverse(N);
    BigInteger u1 = N.subtract(e).multiply(rInverse).mod(N);
    BigInteger u2 = s.multiply(rInverse).mod(N);
    ECPoint q = ECAlgorithms.sumOfTwoMultiplies(DOMAIN.getG(), u1, rPoint, u2).normalize();
    if (q.isInfinity()) {
      return null;
    }
    return PublicKey.fromXy(Arrays.copyOfRange(q.getEncoded(false), 1, 65));
  }

  private static ECPoint decompress(BigInteger x, boolean yOdd) {
    byte[] encoded = new byte[33];
    encoded[0] = (byte) (yOdd ? 0x03 : 0x02);
    Signature.copyUnsigned(x, encoded, 1);
    try {
      return DOMAIN.getCurve().decodePoint(encoded);
    } catch (IllegalArgumentException notOnCurve) {
      return null;
    }
  }
}
