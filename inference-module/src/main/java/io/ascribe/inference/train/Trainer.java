package io.ascribe.inference.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Fine-tunes chosen arrays of a model (a LoRA adapter's A and B, or any weights) on prompt →
 * response examples with next-token cross-entropy on the response tokens only. Sequences are {@code
 * BOS prompt response EOS}, right-padded within a batch (the causal mask keeps padding from
 * reaching real tokens, and the loss mask ignores it). Batches are drawn from a shuffle seeded with
 * the run's seed, and PyTorch's generator is seeded too, so a run on CPU repeats exactly.
 */
public final class Trainer {
  /** Progress after each step. */
  public interface Listener {
    void step(int step, double loss, double gradNorm, long tokens);
  }

  private final LlamaModel model;
  private final Tokenizer tokenizer;

  public Trainer(LlamaModel model, Tokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /** A batch as arrays: inputs and targets (batch, len) int64, and the loss mask as float. */
  record Batch(long[] inputs, long[] targets, float[] mask, int batch, int len) {}

  Batch batch(List<Example> examples) {
    List<int[]> seqs = new ArrayList<>();
    List<Integer> promptLens = new ArrayList<>();
    int max = 0;
    for (Example e : examples) {
      int[] p = tokenizer.encode(e.prompt());
      int[] r = tokenizer.encode(e.response());
      int[] s = new int[p.length + r.length + 2];
      s[0] = tokenizer.bos();
      System.arraycopy(p, 0, s, 1, p.length);
      System.arraycopy(r, 0, s, 1 + p.length, r.length);
      s[s.length - 1] = tokenizer.eos();
      if (s.length - 1 > model.config().maxPositionEmbeddings()) {
        throw new ModelException(
            "an example of "
                + s.length
                + " tokens is longer than the context of "
                + model.config().maxPositionEmbeddings());
      }
      seqs.add(s);
      promptLens.add(1 + p.length);
      max = Math.max(max, s.length - 1);
    }
    int n = seqs.size();
    long[] in = new long[n * max];
    long[] out = new long[n * max];
    float[] mask = new float[n * max];
    for (int i = 0; i < n; i++) {
      int[] s = seqs.get(i);
      for (int j = 0; j < max; j++) {
        boolean real = j < s.length - 1;
        in[i * max + j] = real ? s[j] : tokenizer.eos();
        out[i * max + j] = real ? s[j + 1] : tokenizer.eos();
        // Position j predicts token j+1: count it when that token is response or EOS.
        mask[i * max + j] = real && j + 1 >= promptLens.get(i) ? 1f : 0f;
      }
    }
    return new Batch(in, out, mask, n, max);
  }

  /** Mean cross-entropy of the masked targets. */
  static NDArray loss(NDArray logits, NDArray targets, NDArray mask) {
    NDArray logp = logits.logSoftmax(-1).gather(targets.expandDims(-1), -1).squeeze(-1);
    return logp.mul(mask).sum().neg().div(mask.sum());
  }

  /** Mean response loss of {@code examples} without training. */
  public double evaluate(List<Example> examples, NDManager parent) {
    try (NDManager m = parent.newSubManager()) {
      Batch b = batch(examples);
      NDArray[] arrays = arrays(m, b);
      return loss(model.forward(arrays[0], null, false), arrays[1], arrays[2]).getFloat();
    }
  }

  private static NDArray[] arrays(NDManager m, Batch b) {
    Shape s = new Shape(b.batch(), b.len());
    return new NDArray[] {
      m.create(b.inputs(), s).toType(DataType.INT64, false),
      m.create(b.targets(), s).toType(DataType.INT64, false),
      m.create(b.mask(), s)
    };
  }

  /** Trains {@code params} and returns the loss of every step. */
  public List<Double> train(
      List<NDArray> params,
      List<Example> data,
      TrainConfig config,
      NDManager parent,
      Listener listener) {
    if (data.isEmpty()) {
      throw new IllegalArgumentException("no training examples");
    }
    Torch.seed(config.seed());
    Random order = new Random(config.seed());
    List<Example> pool = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    try (AdamW opt = new AdamW(params, config, parent)) {
      for (int step = 1; step <= config.steps(); step++) {
        List<Example> chosen = new ArrayList<>();
        while (chosen.size() < config.batchSize()) {
          if (pool.isEmpty()) {
            pool.addAll(data);
            java.util.Collections.shuffle(pool, order);
          }
          chosen.add(pool.removeLast());
        }
        try (NDManager m = parent.newSubManager()) {
          Batch b = batch(chosen);
          NDArray[] arrays = arrays(m, b);
          NDArray loss;
          try (GradientCollector gc = Torch.engine().newGradientCollector()) {
            loss = loss(model.forward(arrays[0], null, true), arrays[1], arrays[2]);
            gc.backward(loss);
          }
          double norm = opt.step();
          double value = loss.getFloat();
          losses.add(value);
          if (listener != null) {
            listener.step(step, value, norm, (long) b.batch() * b.len());
          }
        }
      }
    }
    return losses;
  }
}
