package io.ascribe.inference.job;

import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.tuning.TuningMethod;

/**
 * What an adapter file's tensors are, given a base model: the job's method, rank (virtual tokens
 * for P-tuning), alpha and seed. It is all a node needs to load an adapter it serves answers with,
 * without the documents the adapter was trained on.
 */
public record AdapterShape(TuningJobSpec.Method method, int rank, int alpha, long seed) {

  /** The method as the trainer applies it. */
  public TuningMethod tuningMethod() {
    return switch (method) {
      case LORA -> new TuningMethod.Lora(loraConfig(), seed);
      case QLORA_NF4 -> new TuningMethod.QLora(loraConfig(), seed);
      case PTUNING -> new TuningMethod.PrefixTuning(rank, seed);
      case FULL -> new TuningMethod.Full();
    };
  }

  LoraConfig loraConfig() {
    return new LoraConfig(rank, alpha, 0, TuningJobSpec.LORA_TARGETS);
  }
}
