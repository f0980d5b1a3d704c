package io.ascribe.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.ascribe.inference.model.KvCache;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import java.util.Arrays;

/**
 * Greedy decoding: the most likely next token, until EOS or a token budget. With the KV cache the
 * prompt is run once and each step feeds only the newest token; without it every step re-runs the
 * whole sequence (the reference the cache is tested against).
 */
public final class Generator {
  private final LlamaModel model;

  public Generator(LlamaModel model) {
    this.model = model;
  }

  /** The tokens generated after {@code prompt} (EOS excluded), at most {@code maxNew}. */
  public int[] greedy(int[] prompt, int maxNew, int eos, boolean useCache, NDManager parent) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("empty prompt");
    }
    if (prompt.length > model.config().maxPositionEmbeddings()) {
      throw new ModelException(
          "a prompt of "
              + prompt.length
              + " tokens is longer than the context of "
              + model.config().maxPositionEmbeddings());
    }
    int budget = Math.min(maxNew, model.config().maxPositionEmbeddings() - prompt.length);
    int[] seq = Arrays.copyOf(prompt, prompt.length + budget);
    int len = prompt.length;
    try (KvCache cache = useCache ? model.newCache(parent) : null) {
      while (len < prompt.length + budget) {
        int next;
        try (NDManager m = parent.newSubManager()) {
          int[] feed =
              useCache && cache.length() > 0 ? new int[] {seq[len - 1]} : Arrays.copyOf(seq, len);
          NDArray logits = model.forward(LlamaModel.ids(m, feed), cache, false);
          next = (int) logits.get(new NDIndex("0, -1")).argMax().getLong();
        }
        if (next == eos) {
          break;
        }
        seq[len++] = next;
      }
    }
    return Arrays.copyOfRange(seq, prompt.length, len);
  }
}
