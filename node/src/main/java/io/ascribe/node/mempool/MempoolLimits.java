package io.ascribe.node.mempool;

import java.time.Duration;

/**
 * Bounds on what the mempool holds.
 *
 * @param maxTotal transactions held in all
 * @param maxPerSender transactions held for one sender
 * @param maxNonceGap how far past the sender's next nonce a transaction may be
 * @param replacementBumpPercent how much more fee a replacement for the same nonce must offer
 * @param maxAge how long a transaction may wait before it is evicted
 */
public record MempoolLimits(
    int maxTotal, int maxPerSender, long maxNonceGap, int replacementBumpPercent, Duration maxAge) {

  public static final MempoolLimits DEFAULT =
      new MempoolLimits(100_000, 1_024, 1_024, 10, Duration.ofMinutes(10));
}
