package io.ascribe.core.crypto;

import io.ascribe.core.types.Hash;
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
}
