/*
 * Run from the repository root (JMH options and filters follow the module; without them every
 * benchmark here runs at the settings below; see README.md, Benchmarks):
 *
 *   scripts/jmh.sh core -f 1 -wi 2 -i 3
 *
 * or through Maven: ./mvnw -q -pl core -am test-compile exec:exec@jmh -Djmh.args="-f 1 -wi 2 -i 3"
 */
package io.ascribe.core.bench;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.PublicKey;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.types.Hash;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Costs on the transaction path: recovering a sender with native libsecp256k1 and with the Bouncy
 * Castle reference, and keccak256 of 64 bytes (one Merkle node, or a public key to an address). The
 * backend is fixed when {@link Secp256k1} loads, so the reference runs in a JVM forked with {@code
 * -Dascribe.secp256k1=bouncycastle}, and each state checks it got the backend it measures.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SignatureBenchmark {
  /** A signed digest; the key is Anvil's first dev key, so runs are comparable. */
  @State(Scope.Benchmark)
  public static class Signed {
    Hash digest;
    Signature signature;

    void sign(String expectedBackend) {
      if (!Secp256k1.backend().equals(expectedBackend)) {
        throw new IllegalStateException(
            "expected the " + expectedBackend + " backend, got " + Secp256k1.backend());
      }
      PrivateKey key =
          PrivateKey.fromHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
      digest = Keccak.hash("benchmark".getBytes(StandardCharsets.US_ASCII));
      signature = key.sign(digest);
    }
  }

  public static class NativeSigned extends Signed {
    @Setup(Level.Trial)
    public void setUp() {
      sign("native");
    }
  }

  public static class ReferenceSigned extends Signed {
    @Setup(Level.Trial)
    public void setUp() {
      sign("bouncycastle");
    }
  }

  @State(Scope.Benchmark)
  public static class Bytes64 {
    final byte[] input = new byte[64];

    @Setup(Level.Trial)
    public void setUp() {
      for (int i = 0; i < input.length; i++) {
        input[i] = (byte) i;
      }
    }
  }

  @Benchmark
  public PublicKey recoverNative(NativeSigned state) {
    return Secp256k1.recover(state.digest, state.signature);
  }

  @Benchmark
  @Fork(value = 1, jvmArgsAppend = "-Dascribe.secp256k1=bouncycastle")
  public PublicKey recoverBouncyCastle(ReferenceSigned state) {
    return Secp256k1.recover(state.digest, state.signature);
  }

  @Benchmark
  public Hash keccak256Of64Bytes(Bytes64 state) {
    return Keccak.hash(state.input);
  }
}
