package io.ascribe.ledger.ai;

import io.ascribe.core.types.Hash;
import java.util.Optional;

/** An existing contribution a new one is too similar to, and how similar (basis points). */
public record NearDuplicate(Hash contribution, int similarityBps) {

  /**
   * The more similar of two matches; on a tie the smaller id, so every validator names the same one
   * whatever order it found them in.
   */
  public static Optional<NearDuplicate> closer(
      Optional<NearDuplicate> a, Optional<NearDuplicate> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    NearDuplicate x = a.get();
    NearDuplicate y = b.get();
    if (x.similarityBps() != y.similarityBps()) {
      return x.similarityBps() > y.similarityBps() ? a : b;
    }
    return x.contribution().compareTo(y.contribution()) <= 0 ? a : b;
  }

  /** {@code candidate} as a match for {@code signature} if it reaches {@code thresholdBps}. */
  public static Optional<NearDuplicate> match(
      Contribution candidate, MinHash signature, int thresholdBps) {
    int similarity = candidate.minHash().similarityBps(signature);
    return similarity >= thresholdBps
        ? Optional.of(new NearDuplicate(candidate.id(), similarity))
        : Optional.empty();
  }
}
