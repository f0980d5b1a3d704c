package io.ascribe.ledger.ai;

import io.ascribe.core.proto.TuningMethod;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.DecimalE9;
import io.ascribe.core.types.Hash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a tuning job asks for, as its submitter signed it: the base model and datanet by id, the
 * method and its hyperparameters, the seed of the training run and of the evaluation split, the
 * share of contributions held out (see {@link EvalSplit}), and the last height for the result.
 */
public record TuningSpec(
    Hash baseModel,
    Hash datanet,
    Method method,
    Hyperparameters hyperparameters,
    long seed,
    int evalBps,
    long deadline) {

  /** The largest share of a datanet's contributions a job may hold out, in basis points. */
  public static final int MAX_EVAL_BPS = 5_000;

  /**
   * A setting out of its range.
   *
   * @param setting which: rank, alpha, learningRate, epochs, batchSize or evalBps
   * @param what how the message names it, e.g. "LoRA rank"
   * @param fixedPoint whether the numbers are times 10^9 (shown as decimals)
   */
  public record Violation(
      String setting, String what, long value, long min, long max, boolean fixedPoint) {
    /** E.g. "LoRA rank must be in [1, 4096], got 0". */
    public String message() {
      return rule() + ", got " + show(value);
    }

    /** E.g. "LoRA rank must be in [1, 4096]". */
    public String rule() {
      return what + " must be in [" + show(min) + ", " + show(max) + "]";
    }

    private String show(long number) {
      return fixedPoint ? DecimalE9.format(number) : Long.toString(number);
    }
  }

  /**
   * Every setting out of its range, hyperparameters first: the ones {@code method} uses must be in
   * range and the ones it does not use zero, and the evaluation split 1 to {@link #MAX_EVAL_BPS}.
   * Ranks, alphas, epochs and sizes are unsigned on the wire, so they are read as such.
   */
  public static List<Violation> violations(Method method, Hyperparameters h, int evalBps) {
    List<Violation> out = new ArrayList<>();
    long rank = Integer.toUnsignedLong(h.rank());
    long alpha = Integer.toUnsignedLong(h.alpha());
    switch (method) {
      case LORA, QLORA_NF4 -> {
        within(out, "rank", "LoRA rank", rank, 1, 4_096);
        within(out, "alpha", "LoRA alpha", alpha, 1, 65_536);
      }
      case PTUNING -> {
        within(out, "rank", "P-tuning virtual tokens (rank)", rank, 1, 4_096);
        within(out, "alpha", "alpha (unused by P-tuning)", alpha, 0, 0);
      }
      case FULL -> {
        within(out, "rank", "rank (unused by full fine-tuning)", rank, 0, 0);
        within(out, "alpha", "alpha (unused by full fine-tuning)", alpha, 0, 0);
      }
    }
    if (h.learningRateE9() < 1 || h.learningRateE9() > 1_000_000_000L) {
      out.add(
          new Violation(
              "learningRate", "learning rate", h.learningRateE9(), 1, 1_000_000_000L, true));
    }
    within(out, "epochs", "epochs", Integer.toUnsignedLong(h.epochs()), 1, 1_000);
    within(out, "batchSize", "batch size", Integer.toUnsignedLong(h.batchSize()), 1, 65_536);
    within(
        out,
        "evalBps",
        "evaluation split (basis points)",
        Integer.toUnsignedLong(evalBps),
        1,
        MAX_EVAL_BPS);
    return out;
  }

  private static void within(
      List<Violation> out, String setting, String what, long value, long min, long max) {
    if (value < min || value > max) {
      out.add(new Violation(setting, what, value, min, max, false));
    }
  }

  /** How the base model is tuned. */
  public enum Method {
    LORA,
    QLORA_NF4,
    PTUNING,
    FULL;

    /** The name people write and the RPC shows: lora, qlora, ptuning or full. */
    public String label() {
      return this == QLORA_NF4 ? "qlora" : name().toLowerCase(Locale.ROOT);
    }

    /** The method whose {@link #label} is {@code label}, if any. */
    public static Optional<Method> ofLabel(String label) {
      return Arrays.stream(values()).filter(m -> m.label().equals(label)).findFirst();
    }

    public TuningMethod toProto() {
      return switch (this) {
        case LORA -> TuningMethod.TUNING_METHOD_LORA;
        case QLORA_NF4 -> TuningMethod.TUNING_METHOD_QLORA_NF4;
        case PTUNING -> TuningMethod.TUNING_METHOD_PTUNING;
        case FULL -> TuningMethod.TUNING_METHOD_FULL;
      };
    }

    /**
     * @throws IllegalArgumentException for an unset or unknown method
     */
    public static Method fromProto(TuningMethod method) {
      return switch (method) {
        case TUNING_METHOD_LORA -> LORA;
        case TUNING_METHOD_QLORA_NF4 -> QLORA_NF4;
        case TUNING_METHOD_PTUNING -> PTUNING;
        case TUNING_METHOD_FULL -> FULL;
        case TUNING_METHOD_UNSPECIFIED, UNRECOGNIZED ->
            throw new IllegalArgumentException(
                "tuning method must be one of LORA, QLORA_NF4, PTUNING, FULL");
      };
    }
  }

  /**
   * The training run's settings.
   *
   * @param rank LoRA/QLoRA rank, or P-tuning's virtual tokens; 0 for full fine-tuning
   * @param alpha LoRA/QLoRA alpha (updates scaled by alpha / rank); 0 otherwise
   * @param learningRateE9 learning rate times 10^9 (fixed-point, so every node reads the same)
   * @param epochs passes over the training split
   * @param batchSize examples per step
   */
  public record Hyperparameters(
      int rank, int alpha, long learningRateE9, int epochs, int batchSize) {

    io.ascribe.core.proto.Hyperparameters toProto() {
      return TxBodies.hyperparameters(rank, alpha, learningRateE9, epochs, batchSize);
    }

    public static Hyperparameters fromProto(io.ascribe.core.proto.Hyperparameters p) {
      return new Hyperparameters(
          p.getRank(), p.getAlpha(), p.getLearningRateE9(), p.getEpochs(), p.getBatchSize());
    }
  }
}
