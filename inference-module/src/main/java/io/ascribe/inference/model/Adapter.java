package io.ascribe.inference.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A change to a base model's linear projections that lives beside its weights: given the
 * projection's module name (e.g. {@code model.layers.0.self_attn.q_proj}), its input and the base
 * output, it returns the output to use (LoRA, QLoRA). An adapter may also put trainable keys and
 * values in front of every layer's attention (prefix tuning / P-tuning v2).
 */
public interface Adapter {
  NDArray apply(String module, NDArray input, NDArray baseOutput, boolean training);

  /** Number of prefix positions every layer's attention sees before the sequence (0: none). */
  default int prefixLength() {
    return 0;
  }

  /**
   * Layer {@code layer}'s prefix keys and values, each (batch, kv heads, {@link #prefixLength},
   * head dim) and owned by {@code m}; keys are used as given, without rotary embedding.
   */
  default NDArray[] prefix(int layer, long batch, NDManager m) {
    throw new UnsupportedOperationException("adapter has no prefix");
  }
}
