package io.ascribe.consensus;

/**
 * Timeouts in milliseconds that grow linearly with the round, as the paper requires for liveness
 * after GST: each step's timeout is {@code base + round * delta}, so eventually a round lasts long
 * enough for honest messages to arrive.
 */
public record TimeoutConfig(
    long proposeBase,
    long proposeDelta,
    long prevoteBase,
    long prevoteDelta,
    long precommitBase,
    long precommitDelta) {

  /** CometBFT's defaults: 3 s + 0.5 s per round to propose, 1 s + 0.5 s per round to vote. */
  public static final TimeoutConfig DEFAULT = new TimeoutConfig(3000, 500, 1000, 500, 1000, 500);

  public TimeoutConfig {
    if (proposeBase < 0 || proposeDelta <= 0 || prevoteBase < 0 || prevoteDelta <= 0) {
      throw new IllegalArgumentException("timeouts must be >= 0 and grow with the round");
    }
    if (precommitBase < 0 || precommitDelta <= 0) {
      throw new IllegalArgumentException("timeouts must be >= 0 and grow with the round");
    }
  }

  public long duration(Step step, int round) {
    return switch (step) {
      case PROPOSE -> proposeBase + round * proposeDelta;
      case PREVOTE -> prevoteBase + round * prevoteDelta;
      case PRECOMMIT -> precommitBase + round * precommitDelta;
    };
  }
}
