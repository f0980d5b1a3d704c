package io.ascribe.inference.rag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * Text embeddings from the base model itself, so retrieval needs no second model: {@code BOS text}
 * runs through the decoder, the final hidden states of the text's tokens are averaged (BOS, whose
 * state is the same for every text in a causal decoder, is left out) and the mean is scaled to unit
 * length, so a dot product is the cosine. A text longer than the model's context is embedded from
 * its first {@code max_position_embeddings - 1} tokens; the empty text embeds as BOS alone.
 */
public final class Embedder {
  private final LlamaModel model;
  private final Tokenizer tokenizer;
  private final NDManager manager;

  /** Embeds with {@code model}; intermediate arrays live under {@code manager}. */
  public Embedder(LlamaModel model, Tokenizer tokenizer, NDManager manager) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.manager = manager;
  }

  /** The length of every embedding: the model's hidden size. */
  public int dimension() {
    return model.config().hiddenSize();
  }

  /** The unit-length embedding of {@code text}. */
  public float[] embed(String text) {
    int[] body = tokenizer.encode(text);
    int n = Math.min(body.length, model.config().maxPositionEmbeddings() - 1);
    int[] ids = new int[n + 1];
    ids[0] = tokenizer.bos();
    System.arraycopy(body, 0, ids, 1, n);
    float[] mean;
    try (NDManager m = manager.newSubManager()) {
      NDArray h = model.hidden(LlamaModel.ids(m, ids), null, false);
      NDArray states = n == 0 ? h.get(new NDIndex("0")) : h.get(new NDIndex("0, 1:"));
      mean = states.mean(new int[] {0}).toFloatArray();
    }
    return normalise(mean);
  }

  static float[] normalise(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    if (norm == 0) {
      // A zero vector has no direction; Lucene's cosine refuses it, so give it a fixed one.
      float[] unit = new float[v.length];
      unit[0] = 1;
      return unit;
    }
    float[] out = Arrays.copyOf(v, v.length);
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (out[i] / norm);
    }
    return out;
  }
}
