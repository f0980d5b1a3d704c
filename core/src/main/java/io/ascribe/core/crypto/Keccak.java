package io.ascribe.core.crypto;

import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.io.InputStream;
import org.bouncycastle.crypto.digests.KeccakDigest;

/** Keccak-256 as Ethereum uses it (the pre-NIST padding), over one or more byte arrays. */
public final class Keccak {
  private Keccak() {}

  /** Returns keccak256 of the concatenation of {@code parts}. */
  public static Hash hash(byte[]... parts) {
    KeccakDigest digest = new KeccakDigest(256);
    for (byte[] part : parts) {
      digest.update(part, 0, part.length);
    }
    byte[] out = new byte[32];
    digest.doFinal(out, 0);
    return Hash.wrap(out);
  }

  /** Returns keccak256 of everything {@code in} yields, read in chunks (for files of any size). */
  public static Hash hash(InputStream in) throws IOException {
    KeccakDigest digest = new KeccakDigest(256);
    byte[] buffer = new byte[1 << 16];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      digest.update(buffer, 0, n);
    }
    byte[] out = new byte[32];
    digest.doFinal(out, 0);
    return Hash.wrap(out);
  }
}
