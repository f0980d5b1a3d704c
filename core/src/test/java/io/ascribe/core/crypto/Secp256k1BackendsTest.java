package io.ascribe.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Native libsecp256k1 against the Bouncy Castle reference: a node that runs either must accept and
 * produce exactly the same signatures, or nodes on different platforms would disagree.
 */
class Secp256k1BackendsTest {
  private static final int CASES = 500;

  @BeforeAll
  static void requireNative() {
    // The project builds on Linux x86_64, where the dependency ships libsecp256k1: if it does
    // not load there, the node silently runs 3.6x slower, so that is a failure, not a skip.
    assertThat(Secp256k1.backend()).isEqualTo("native");
  }

  private static SecureRandom seeded(long seed) throws Exception {
    // SHA1PRNG seeded before first use is deterministic, so every run sees the same cases.
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(seed);
    return random;
  }

  private static Hash randomDigest(SecureRandom random) {
    byte[] digest = new byte[32];
    random.nextBytes(digest);
    return Hash.wrap(digest);
  }

  @Test
  void nativeAndReferenceSignAndRecoverIdentically() throws Exception {
    SecureRandom random = seeded(6979);
    for (int i = 0; i < CASES; i++) {
      PrivateKey key = PrivateKey.generate(random);
      Hash digest = randomDigest(random);

      Signature reference = Secp256k1.signReference(key, digest);
      Signature fast = Secp256k1.signNative(key, digest);
      assertThat(fast).as("case %d", i).isEqualTo(reference);

      assertThat(Secp256k1.recoverNative(digest, reference)).isEqualTo(key.publicKey());
      assertThat(Secp256k1.recoverReference(digest, reference)).isEqualTo(key.publicKey());
    }
  }

  @Test
  void bothRecoverTheSameKeyFromArbitrarySignatures() throws Exception {
    // Random (r, s) pairs mostly recover some unrelated key, and sometimes none (r is not the x of
    // a curve point); both implementations must agree on which, and on the key.
    SecureRandom random = seeded(416);
    int noKey = 0;
    for (int i = 0; i < CASES; i++) {
      BigInteger r =
          new BigInteger(256, random).mod(Secp256k1.N.subtract(BigInteger.ONE)).add(BigInteger.ONE);
      BigInteger s = new BigInteger(255, random).mod(Secp256k1.HALF_N).add(BigInteger.ONE);
      Signature signature = new Signature(r, s, random.nextInt(2));
      Hash digest = randomDigest(random);

      PublicKey fast = Secp256k1.recoverNative(digest, signature);
      PublicKey reference = Secp256k1.recoverReference(digest, signature);
      assertThat(fast).as("case %d", i).isEqualTo(reference);
      if (reference == null) {
        noKey++;
      }
    }
    // About half of all x values are on the curve, so both outcomes were exercised.
    assertThat(noKey).isBetween(CASES / 4, 3 * CASES / 4);
  }

  @Test
  void invalidSignatureFailsInBoth() {
    // x = 5 is not the x coordinate of any secp256k1 point (5^3 + 7 = 132 is not a square mod p).
    Signature offCurve = new Signature(BigInteger.valueOf(5), BigInteger.ONE, 0);
    Hash digest = Keccak.hash(new byte[] {1});
    assertThat(Secp256k1.recoverNative(digest, offCurve)).isNull();
    assertThat(Secp256k1.recoverReference(digest, offCurve)).isNull();
    assertThatThrownBy(() -> Secp256k1.recover(digest, offCurve))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not match any public key");
  }

  @Test
  void signaturesFromEitherVerifyThroughThePublicApi() throws Exception {
    SecureRandom random = seeded(7);
    PrivateKey key = PrivateKey.generate(random);
    Hash digest = randomDigest(random);
    Signature signature = key.sign(digest);
    assertThat(signature).isEqualTo(Secp256k1.signReference(key, digest));
    assertThat(Secp256k1.recoverAddress(digest, signature)).isEqualTo(key.address());
  }
}
