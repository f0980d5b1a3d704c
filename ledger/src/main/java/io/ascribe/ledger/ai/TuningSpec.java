package io.ascribe.ledger.ai;

import io.ascribe.core.proto.TuningMethod;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Hash;
import java.util.Arrays;
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
