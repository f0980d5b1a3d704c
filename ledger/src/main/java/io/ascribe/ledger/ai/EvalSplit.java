package io.ascribe.ledger.ai;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Which of a datanet's contributions a tuning job holds out for evaluation: contribution {@code c}
 * is held out when keccak256("ascribe/eval-split" ‖ seed ‖ c) mod 10,000 &lt; evalBps. It depends
 * only on the job's seed and the contribution's id, so the executor, every verifier and the ledger
 * agree on the split without anyone listing it, and nobody can pick which contributions are held
 * out once the seed is signed.
 */
public final class EvalSplit {
  private static final byte[] TAG = "ascribe/eval-split".getBytes(StandardCharsets.US_ASCII);
  private static final BigInteger BPS = BigInteger.valueOf(10_000);

  private EvalSplit() {}

  /** Whether {@code contribution} is in the evaluation split of a job with this seed and share. */
  public static boolean heldOut(long seed, int evalBps, Hash contribution) {
    Hash h = Keccak.hash(TAG, ByteBuffer.allocate(8).putLong(seed).array(), contribution.toArray());
    return new BigInteger(1, h.toArray()).mod(BPS).intValue() < evalBps;
  }
}
