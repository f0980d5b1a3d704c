package io.ascribe.core.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.util.Pack;

/**
 * scrypt (RFC 7914) for keystore files. Bouncy Castle's {@code SCrypt} enforces the RFC's bound N
 * &lt; 2^(16 r), which rejects files that geth and the Web3 Secret Storage test vectors use (N =
 * 2^18 with r = 1), so the mixing loop is written out here on Bouncy Castle's Salsa20 core and
 * PBKDF2; tests check it against {@code SCrypt} wherever that accepts the costs.
 */
final class Scrypt {
  private Scrypt() {}

  /**
   * Derives {@code length} bytes.
   *
   * @throws IllegalArgumentException when n is not a power of two above 1, r or p is not positive,
   *     or the working memory (128 · r · n bytes) does not fit in one Java array
   */
  static byte[] derive(byte[] password, byte[] salt, int n, int r, int p, int length) {
    if (n < 2 || Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("scrypt n must be a power of two above 1, got " + n);
    }
    if (r < 1 || p < 1) {
      throw new IllegalArgumentException("scrypt r and p must be positive, got " + r + ", " + p);
    }
    int blockInts = 32 * r;
    if ((long) blockInts * n > Integer.MAX_VALUE - 8 || (long) 128 * r * p > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("scrypt costs n=" + n + ", r=" + r + " are too large");
    }
    byte[] blocks = pbkdf2(password, salt, 128 * r * p);
    int[] scratch = new int[blockInts * n];
    for (int i = 0; i < p; i++) {
      roMix(blocks, 128 * r * i, r, n, scratch);
    }
    return pbkdf2(password, blocks, length);
  }

  /** RFC 7914 section 5, in place on the 128·r bytes of {@code blocks} at {@code offset}. */
  private static void roMix(byte[] blocks, int offset, int r, int n, int[] v) {
    int blockInts = 32 * r;
    int[] x = new int[blockInts];
    Pack.littleEndianToInt(blocks, offset, x);
    int[] y = new int[blockInts];
    for (int i = 0; i < n; i++) {
      System.arraycopy(x, 0, v, i * blockInts, blockInts);
      blockMix(x, y, r);
    }
    for (int i = 0; i < n; i++) {
      // Integerify: the first word of the last 64-byte block, reduced mod n (a power of two).
      int j = x[blockInts - 16] & (n - 1);
      for (int k = 0; k < blockInts; k++) {
        x[k] ^= v[j * blockInts + k];
      }
      blockMix(x, y, r);
    }
    Pack.intToLittleEndian(x, blocks, offset);
  }

  /** RFC 7914 section 4: {@code b} becomes BlockMix(b); {@code y} is scratch of the same size. */
  private static void blockMix(int[] b, int[] y, int r) {
    int[] x = new int[16];
    int[] input = new int[16];
    System.arraycopy(b, (2 * r - 1) * 16, x, 0, 16);
    for (int i = 0; i < 2 * r; i++) {
      for (int k = 0; k < 16; k++) {
        input[k] = x[k] ^ b[i * 16 + k];
      }
      Salsa20Engine.salsaCore(8, input, x);
      // Even outputs go to the first half, odd ones to the second.
      int target = (i % 2 == 0 ? i / 2 : r + i / 2) * 16;
      System.arraycopy(x, 0, y, target, 16);
    }
    System.arraycopy(y, 0, b, 0, b.length);
  }

  private static byte[] pbkdf2(byte[] password, byte[] salt, int length) {
    PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(new SHA256Digest());
    generator.init(password, salt, 1);
    return ((KeyParameter) generator.generateDerivedParameters(length * 8)).getKey();
  }
}
