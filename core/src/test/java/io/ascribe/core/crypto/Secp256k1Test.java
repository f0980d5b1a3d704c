package io.ascribe.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class Secp256k1Test {
  // Anvil's (and Hardhat's) first well-known dev key and its address.
  private static final String ANVIL_KEY =
      "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
  private static final Address ANVIL_ADDRESS =
      Address.fromHex("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

  @Test
  void backendFollowsTheSystemProperty() {
    // The build runs this class twice: as is, and with the property set (surefire execution
    // reference-secp256k1). The dependency carries libsecp256k1 for Linux x86_64 and aarch64.
    boolean forced = "bouncycastle".equals(System.getProperty(Secp256k1.BACKEND_PROPERTY));
    boolean shipped =
        System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
            && List.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch"));
    if (forced || shipped) {
      assertThat(Secp256k1.backend()).isEqualTo(forced ? "bouncycastle" : "native");
    }
  }

  @Test
  void derivesEthereumAddress() {
    assertThat(PrivateKey.fromHex(ANVIL_KEY).address()).isEqualTo(ANVIL_ADDRESS);
  }

  @Test
  void keccakMatchesEthereumVector() {
    assertThat(Keccak.hash(new byte[0]).toHex())
        .isEqualTo("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  }

  @Test
  void signatureRecoversSignerAndIsLowS() throws Exception {
    // SHA1PRNG seeded before first use is deterministic, so the test sees the same keys each run.
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(42);
    for (int i = 0; i < 50; i++) {
      PrivateKey key = PrivateKey.generate(random);
      Hash digest = Keccak.hash(("message " + i).getBytes(StandardCharsets.UTF_8));
      Signature signature = key.sign(digest);
      assertThat(signature.s()).isLessThanOrEqualTo(Secp256k1.HALF_N);
      Signature decoded = Signature.fromBytes(signature.toBytes());
      assertThat(Secp256k1.recoverAddress(digest, decoded)).isEqualTo(key.address());
    }
  }

  @Test
  void rejectsHighS() {
    PrivateKey key = PrivateKey.fromHex(ANVIL_KEY);
    Signature low = key.sign(Keccak.hash(new byte[] {1}));
    byte[] high = low.toBytes();
    Signature.copyUnsigned(Secp256k1.N.subtract(low.s()), high, 32);
    high[64] ^= 1;
    assertThatThrownBy(() -> Signature.fromBytes(high)).hasMessageContaining("high-s");
  }

  @Test
  void rejectsWrongLengthAndRange() {
    assertThatThrownBy(() -> Signature.fromBytes(new byte[64])).hasMessageContaining("65 bytes");
    assertThatThrownBy(() -> Signature.fromBytes(new byte[65])).hasMessageContaining("r is out");
    assertThatThrownBy(() -> new Signature(BigInteger.ONE, BigInteger.ONE, 2))
        .hasMessageContaining("recovery id");
  }

  @Test
  void tamperedDigestRecoversAnotherAddress() {
    PrivateKey key = PrivateKey.fromHex(ANVIL_KEY);
    Signature signature = key.sign(Keccak.hash(new byte[] {1}));
    Address other;
    try {
      other = Secp256k1.recoverAddress(Keccak.hash(new byte[] {2}), signature);
    } catch (IllegalArgumentException noKey) {
      other = null;
    }
    assertThat(other).isNotEqualTo(key.address());
  }
}
