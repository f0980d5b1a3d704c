package io.ascribe.inference.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * A change to a base model's linear projections that lives beside its weights: given the
 * projection's module name (e.g. {@code model.layers.0.self_attn.q_proj}), its input and the base
 * output, it returns the output to use (LoRA, QLoRA). An adapter may also put trainable keys and
 * values in front of every layer's attention (prefix tuning / P-tuning v2).
 */
public interface Adapter {
  NDArray apply(String module, NDArray input, NDArray baseOutput, boolean training);

  /**
   * The output of projections that read the same {@code input} and ran as one product: {@code
   * baseOutput}'s last axis holds theirs side by side, {@code widths[i]} columns for {@code
   * modules.get(i)}. By default each module's columns go through {@link #apply(String, NDArray,
   * NDArray, boolean)} and the results are put side by side again; an adapter may do it in fewer
   * operations.
   */
  default NDArray apply(
      List<String> modules, NDArray input, NDArray baseOutput, long[] widths, boolean training) {
    long[] cuts = new long[widths.length - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = (i == 0 ? 0 : cuts[i - 1]) + widths[i];
    }
    NDList parts = baseOutput.split(cuts, baseOutput.getShape().dimension() - 1);
    NDList out = new NDList();
    boolean unchanged = true;
    for (int i = 0; i < widths.length; i++) {
      NDArray o = apply(modules.get(i), input, parts.get(i), training);
      unchanged &= o == parts.get(i);
      out.add(o);
    }
    return unchanged ? baseOutput : NDArrays.concat(out, baseOutput.getShape().dimension() - 1);
  }

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
