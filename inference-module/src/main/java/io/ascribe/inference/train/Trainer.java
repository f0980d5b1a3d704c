package io.ascribe.inference.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.Precision;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tokenizer.Tokenizer;
import io.ascribe.inference.tuning.TuningMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fine-tunes what a {@link TuningMethod} makes trainable (a LoRA adapter's A and B, prefixes, or
 * every weight) on prompt → response examples with next-token cross-entropy on the response tokens
 * only. Sequences are {@code BOS prompt response EOS}, right-padded within a batch (the causal mask
 * keeps padding from reaching real tokens, and the loss mask ignores it). Each optimiser step
 * accumulates the gradients of {@code accumulation} micro-batches, clips their global norm and
 * applies AdamW at the scheduled learning rate. Batch order comes from a seeded SplitMix64 and
 * PyTorch's generator is re-seeded from (seed, step) at every step, so a run on CPU repeats exactly
 * and a run resumed from a checkpoint continues exactly as the uninterrupted one. Mixed precision
 * follows the device ({@link Precision#forDevice}): on a recent CUDA GPU matrix products run in
 * float16 over float32 master weights, with dynamic loss scaling ({@link LossScaler}); on CPU
 * everything stays float32.
 */
public final class Trainer {
  /** Progress after each optimiser step. */
  @FunctionalInterface
  public interface Listener {
    void onStep(Progress progress);

    /**
     * Called before the first step when the run goes on from a checkpoint written at {@code step}.
     */
    default void onResume(int step) {}
  }

  /**
   * One step's figures: its mean micro-batch loss, gradient norm before clipping, learning rate,
   * the real (unpadded) tokens it trained on and its throughput in tokens per second.
   */
  public record Progress(
      int step,
      int totalSteps,
      double loss,
      double gradNorm,
      double lr,
      long tokens,
      double tokensPerSecond) {}

  /** Where to keep a checkpoint and how often (in optimiser steps) to refresh it. */
  public record Checkpointing(Path dir, int every) {
    public Checkpointing {
      if (dir == null || every <= 0) {
        throw new IllegalArgumentException("checkpoints need a directory and an interval > 0");
      }
    }
  }

  /** A finished fine-tuning: what was trained (still attached to the model) and the losses. */
  public record Result(Trainable trainable, List<Double> losses) {}

  private final LlamaModel model;
  private final Tokenizer tokenizer;
  private volatile boolean stopRequested;
  private Precision precision;
  private boolean recomputeLayers;
  private double initialLossScale = LossScaler.INITIAL_SCALE;

  public Trainer(LlamaModel model, Tokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /** The model this trainer trains and scores. */
  public LlamaModel model() {
    return model;
  }

  /**
   * Runs training's matrix products in {@code p} instead of what {@link Precision#forDevice}
   * chooses for the device (bfloat16 on recent CUDA GPUs, float32 elsewhere); null restores that
   * choice. The weights stay float32 either way.
   */
  public void setPrecision(Precision p) {
    this.precision = p;
  }

  /**
   * Whether training recomputes each layer's activations in the backward pass instead of keeping
   * them ({@link LlamaModel#backwardRecomputing}): less memory for about a third more time per
   * step, in training and in {@link #backward} (influence scoring). Off unless set; QLoRA's callers
   * turn it on, since its frozen base would otherwise be held dequantised for the whole backward
   * pass. The trained arrays are the same either way up to float rounding (dropout aside, whose
   * masks are then drawn per layer).
   */
  public void setRecomputeLayers(boolean on) {
    this.recomputeLayers = on;
  }

  // The batch's loss (arrays from arrays(m, b)) with its gradient, times scale, added by
  // recomputing each layer in the backward pass; returns the unscaled loss.
  private double backwardRecomputing(
      GradientCollector gc, NDArray[] arrays, Batch b, double scale, long seed, boolean training) {
    return model.backwardRecomputing(
        gc,
        arrays[0],
        b.lengths(),
        logits -> loss(logits, arrays[1], arrays[2]),
        scale,
        seed,
        training);
  }

  /** The loss scale a half-precision run starts from (tests start high to force overflows). */
  void setInitialLossScale(double scale) {
    this.initialLossScale = scale;
  }

  /**
   * A batch as arrays: the inputs (batch, len) int64, right-padded, row r holding {@code
   * lengths[r]} real tokens; the targets and the loss mask (1 where a target counts) of the real
   * tokens alone, in row order, which is how {@link LlamaModel#forwardUnpadded} returns their
   * logits.
   */
  record Batch(long[] inputs, long[] targets, float[] mask, int batch, int len, int[] lengths) {
    /** The real tokens trained on: one target each. */
    long tokens() {
      return targets.length;
    }
  }

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
    long tokens = 0;
    for (int[] s : seqs) {
      tokens += s.length - 1;
    }
    long[] in = new long[n * max];
    long[] out = new long[Math.toIntExact(tokens)];
    float[] mask = new float[out.length];
    int[] lengths = new int[n];
    int at = 0;
    for (int i = 0; i < n; i++) {
      int[] s = seqs.get(i);
      lengths[i] = s.length - 1;
      for (int j = 0; j < max; j++) {
        boolean real = j < s.length - 1;
        in[i * max + j] = real ? s[j] : tokenizer.eos();
        if (real) {
          out[at] = s[j + 1];
          // Position j predicts token j+1: count it when that token is response or EOS.
          mask[at] = j + 1 >= promptLens.get(i) ? 1f : 0f;
          at++;
        }
      }
    }
    return new Batch(in, out, mask, n, max, lengths);
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
      return loss(logits(arrays, b, false), arrays[1], arrays[2]).getFloat();
    }
  }

  /**
   * Mean response loss of {@code examples} over all their response tokens, run in batches of at
   * most {@code chunk} examples whose means are weighted by their token counts, so the figure is
   * the one a single batch would give while memory stays bounded.
   */
  public double evaluate(List<Example> examples, int chunk, NDManager parent) {
    List<Batch> batches = chunks(examples, chunk);
    double total = totalMasked(batches);
    double sum = 0;
    for (Batch b : batches) {
      try (NDManager m = parent.newSubManager()) {
        NDArray[] arrays = arrays(m, b);
        double mean = loss(logits(arrays, b, false), arrays[1], arrays[2]).getFloat();
        sum += mean * masked(b) / total;
      }
    }
    return sum;
  }

  /**
   * Adds the gradient of {@link #evaluate(List, int, NDManager)}'s loss (no dropout) into the
   * gradients of the arrays that require one, and returns the loss. The caller reads the gradients
   * and clears them; nothing else is changed.
   */
  public double backward(List<Example> examples, int chunk, NDManager parent) {
    List<Batch> batches = chunks(examples, chunk);
    double total = totalMasked(batches);
    double sum = 0;
    try (GradientCollector gc = Torch.engine().newGradientCollector()) {
      for (Batch b : batches) {
        try (NDManager m = parent.newSubManager()) {
          NDArray[] arrays = arrays(m, b);
          double weight = masked(b) / total;
          if (recomputeLayers) {
            // No dropout, so the seed draws nothing.
            sum += backwardRecomputing(gc, arrays, b, weight, 0, false) * weight;
          } else {
            NDArray loss = loss(logits(arrays, b, false), arrays[1], arrays[2]);
            gc.backward(weight == 1 ? loss : loss.mul(Torch.scalar(m, weight)));
            sum += loss.getFloat() * weight;
          }
        }
      }
    }
    return sum;
  }

  private List<Batch> chunks(List<Example> examples, int chunk) {
    if (examples.isEmpty() || chunk <= 0) {
      throw new IllegalArgumentException(
          "need examples and a chunk size > 0; got " + examples.size() + ", " + chunk);
    }
    List<Batch> out = new ArrayList<>();
    for (int i = 0; i < examples.size(); i += chunk) {
      out.add(batch(examples.subList(i, Math.min(examples.size(), i + chunk))));
    }
    return out;
  }

  private static double masked(Batch b) {
    double n = 0;
    for (float f : b.mask()) {
      n += f;
    }
    return n;
  }

  private static double totalMasked(List<Batch> batches) {
    double n = 0;
    for (Batch b : batches) {
      n += masked(b);
    }
    return n;
  }

  private static NDArray[] arrays(NDManager m, Batch b) {
    Shape s = new Shape(b.targets().length);
    return new NDArray[] {
      m.create(b.inputs(), new Shape(b.batch(), b.len())).toType(DataType.INT64, false),
      m.create(b.targets(), s).toType(DataType.INT64, false),
      m.create(b.mask(), s)
    };
  }

  // The logits of the batch's real tokens (see Batch).
  private NDArray logits(NDArray[] arrays, Batch b, boolean training) {
    return model.forwardUnpadded(arrays[0], b.lengths(), training);
  }

  /**
   * Asks a running {@link #train} to stop after the current step, writing a checkpoint when it has
   * somewhere to (a Ctrl-C handler calls this). Asked before a run starts, it stops that run after
   * its first step; the request is cleared when a run ends.
   */
  public void requestStop() {
    stopRequested = true;
  }

  /** The step of the checkpoint in {@code dir}, empty when there is none. */
  public static java.util.OptionalInt checkpointStep(Path dir) throws IOException {
    return Checkpoint.exists(dir)
        ? java.util.OptionalInt.of(Checkpoint.step(dir))
        : java.util.OptionalInt.empty();
  }

  /** Applies {@code method} to the model and trains it; the result stays attached. */
  public Result fineTune(
      TuningMethod method,
      List<Example> data,
      TrainConfig config,
      NDManager parent,
      Listener listener) {
    Trainable t = method.applyTo(model);
    try {
      return new Result(t, train(t, data, config, parent, listener, null));
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
  }

  /** Trains {@code params} (no checkpoints) and returns the loss of every step. */
  public List<Double> train(
      List<NDArray> params,
      List<Example> data,
      TrainConfig config,
      NDManager parent,
      Listener listener) {
    Map<String, NDArray> named = new LinkedHashMap<>();
    for (int i = 0; i < params.size(); i++) {
      named.put("param." + i, params.get(i));
    }
    return train(new TuningMethod.AllWeights(named), data, config, parent, listener, null);
  }

  /**
   * Trains {@code trainable}'s arrays and returns the loss of every step since the run began. With
   * {@code checkpoints}, a checkpoint already in its directory is resumed from, and a new one is
   * written every {@code every} steps, at the end and when a stop is requested.
   */
  public List<Double> train(
      Trainable trainable,
      List<Example> data,
      TrainConfig config,
      NDManager parent,
      Listener listener,
      Checkpointing checkpoints) {
    if (data.isEmpty()) {
      throw new IllegalArgumentException("no training examples");
    }
    Precision before = model.precision();
    model.setPrecision(precision != null ? precision : Precision.forDevice(parent.getDevice()));
    try {
      return run(trainable, data, config, parent, listener, checkpoints);
    } finally {
      model.setPrecision(before);
      // Cleared at the end, not the start: a stop asked for just before a run still stops it.
      stopRequested = false;
    }
  }

  private List<Double> run(
      Trainable trainable,
      List<Example> data,
      TrainConfig config,
      NDManager parent,
      Listener listener,
      Checkpointing checkpoints) {
    Map<String, NDArray> named = trainable.namedParameters();
    SplitMix64 order = new SplitMix64(config.seed());
    List<Integer> pool = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    int start = 0;
    LossScaler scaler = LossScaler.forPrecision(model.precision(), initialLossScale);
    try (AdamW opt = new AdamW(List.copyOf(named.values()), config, parent)) {
      if (checkpoints != null && Checkpoint.exists(checkpoints.dir())) {
        Checkpoint c = Checkpoint.load(checkpoints.dir(), named, opt, config, data.size());
        start = c.step();
        if (listener != null) {
          listener.onResume(start);
        }
        order = new SplitMix64(c.rngState());
        pool.addAll(c.pool());
        losses.addAll(c.losses());
        if (scaler.active() && c.lossScale() != 1) {
          scaler = new LossScaler(true, c.lossScale(), c.goodSteps());
        }
      }
      int micro = config.accumulation();
      for (int step = start + 1; step <= config.steps(); step++) {
        long began = System.nanoTime();
        // Re-seeding per step makes dropout at step s independent of how the run got there.
        Torch.seed(SplitMix64.derive(config.seed(), step));
        double lossSum = 0;
        long tokens = 0;
        try (GradientCollector gc = Torch.engine().newGradientCollector()) {
          for (int k = 0; k < micro; k++) {
            List<Example> chosen = new ArrayList<>();
            while (chosen.size() < config.batchSize()) {
              if (pool.isEmpty()) {
                for (int i = 0; i < data.size(); i++) {
                  pool.add(i);
                }
                order.shuffle(pool);
              }
              chosen.add(data.get(pool.removeLast()));
            }
            try (NDManager m = parent.newSubManager()) {
              Batch b = batch(chosen);
              NDArray[] arrays = arrays(m, b);
              // Each micro-batch's mean, divided by their number: the gradients add up to the
              // gradient of the mean over the whole step.
              // With loss scaling the loss is also multiplied by the scale (AdamW divides again).
              if (recomputeLayers) {
                lossSum +=
                    backwardRecomputing(
                        gc,
                        arrays,
                        b,
                        scaler.active() ? scaler.scale() / micro : 1.0 / micro,
                        SplitMix64.derive(SplitMix64.derive(config.seed(), step), k),
                        true);
              } else {
                NDArray loss = loss(logits(arrays, b, true), arrays[1], arrays[2]);
                gc.backward(
                    scaler.active()
                        ? loss.mul(Torch.scalar(m, scaler.scale() / micro))
                        : loss.div(Torch.scalar(m, micro)));
                lossSum += loss.getFloat();
              }
              tokens += b.tokens();
            }
          }
        }
        double lr = config.lrAt(step);
        double norm = opt.step(lr, scaler.scale());
        scaler.update(Double.isFinite(norm));
        double value = lossSum / micro;
        losses.add(value);
        if (listener != null) {
          double seconds = Math.max(1e-9, (System.nanoTime() - began) / 1e9);
          listener.onStep(
              new Progress(step, config.steps(), value, norm, lr, tokens, tokens / seconds));
        }
        boolean stop = stopRequested;
        if (checkpoints != null
            && (step % checkpoints.every() == 0 || step == config.steps() || stop)) {
          new Checkpoint(
                  step,
                  order.state(),
                  List.copyOf(pool),
                  List.copyOf(losses),
                  opt.steps(),
                  scaler.scale(),
                  scaler.goodSteps())
              .save(checkpoints.dir(), named, opt, config, data.size());
        }
        if (stop) {
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return losses;
  }
}
