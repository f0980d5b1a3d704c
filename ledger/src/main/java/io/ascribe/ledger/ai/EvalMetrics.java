package io.ascribe.ledger.ai;

/**
 * Evaluation figures on a job's held-out split, fixed-point times 10^9.
 *
 * @param evalLossE9 the adapter's loss on the held-out split
 * @param rougeLE9 ROUGE-L F1 of its generations there, in [0, 10^9]
 */
public record EvalMetrics(long evalLossE9, long rougeLE9) {
  /** ROUGE-L of a perfect match. */
  public static final long ROUGE_MAX = 1_000_000_000L;

  io.ascribe.core.proto.EvalMetrics toProto() {
    return io.ascribe.core.proto.EvalMetrics.newBuilder()
        .setEvalLossE9(evalLossE9)
        .setRougeLE9(rougeLE9)
        .build();
  }

  public static EvalMetrics fromProto(io.ascribe.core.proto.EvalMetrics p) {
    return new EvalMetrics(p.getEvalLossE9(), p.getRougeLE9());
  }
}
