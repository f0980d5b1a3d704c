package io.ascribe.inference.model;

import ai.djl.ndarray.NDArray;

/**
 * A change to a base model's linear projections that lives beside its weights: given the
 * projection's module name (e.g. {@code model.layers.0.self_attn.q_proj}), its input and the base
 * output, it returns the output to use. LoRA implements it; QLoRA will too.
 */
public interface Adapter {
  NDArray apply(String module, NDArray input, NDArray baseOutput, boolean training);
}
