package io.ascribe.inference.job;

import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.quant.Int8;
import io.ascribe.inference.quant.Nf4;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * What a tuning job needs in memory, in bytes, from the base's {@code config.json} and the spec
 * alone (no weights are read): the base weights (float32; for QLoRA the projections and embeddings
 * in NF4 at {@link Nf4#nominalBitsPerParameter} bits a weight, an untied head in int8 at {@link
 * Int8#BITS_PER_PARAMETER}, the norms float32), the optimizer's share (gradient, AdamW's two
 * moments and the array itself for each trainable value; for full fine-tuning the arrays are the
 * weights, counted there) and the activations autograd keeps for one batch. Activations assume a
 * sequence as long as the longest training document in UTF-8 bytes (an upper bound for byte and
 * subword tokenizers) and count, per layer and token, the normalised inputs, queries, keys and
 * values with their rotated copies, the attention probabilities, and the MLP's four
 * intermediate-sized arrays, plus three vocabulary-sized arrays per token for the logits, their
 * log-softmax and its gradient. Where training recomputes the layers (QLoRA, see {@link
 * io.ascribe.inference.train.Trainer#setRecomputeLayers}) autograd keeps one layer's arrays and its
 * dequantised float32 matrices instead, beside every layer's hidden-sized input. {@code heap} is
 * apart from those (which live in libtorch's memory, on the GPU under CUDA): the Java heap that
 * scoring influence holds, the two ends of its line as float arrays, 8 bytes a trainable value. An
 * estimate, meant to refuse what cannot fit before loading anything, not to promise what can.
 */
public record MemoryEstimate(long weights, long optimizer, long activations, long heap) {
  /** The device memory the job needs: weights, optimizer and activations. */
  public long total() {
    return weights + optimizer + activations;
  }

  /**
   * @throws ModelException naming the figures and what to change when {@link #total} is over {@code
   *     availableBytes}
   */
  public void requireFits(long availableBytes, String where) {
    if (total() > availableBytes) {
      throw new ModelException(
          String.format(
              Locale.ROOT,
              "the job needs about %s (weights %s, optimizer %s, activations %s) but %s has %s;"
                  + " use a smaller batch size, QLoRA or LoRA instead of full fine-tuning, or a"
                  + " machine with more memory",
              gib(total()),
              gib(weights),
              gib(optimizer),
              gib(activations),
              where,
              gib(availableBytes)));
    }
  }

  /**
   * @throws ModelException naming the figures and the fix when {@link #heap} is over {@code
   *     maxHeapBytes}, the most the JVM may use
   */
  public void requireHeap(long maxHeapBytes) {
    if (heap > maxHeapBytes) {
      throw new ModelException(
          String.format(
              Locale.ROOT,
              "scoring the job's influence holds about %s on the Java heap, but this JVM may use"
                  + " at most %s; raise it (for example ASCRIBE_JAVA_OPTS=-Xmx%dg), or tune with"
                  + " LoRA instead of full fine-tuning",
              gib(heap),
              gib(maxHeapBytes),
              (heap + maxHeapBytes) / (1L << 30) + 1));
    }
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
  }

  /** The estimate for {@code spec}, reading only its base's {@code config.json}. */
  public static MemoryEstimate of(TuningJobSpec spec) throws IOException {
    LlamaConfig c = LlamaConfig.read(spec.baseModelDir().resolve(LlamaModel.CONFIG_FILE));
    Map<String, long[]> shapes = LlamaModel.expectedShapes(c);
    long all = 0;
    long matrices = 0;
    long head = 0;
    long lora = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      long n = e.getValue().length == 2 ? e.getValue()[0] * e.getValue()[1] : e.getValue()[0];
      all += n;
      String name = e.getKey();
      if (name.equals(LlamaModel.HEAD)) {
        head = n;
      } else if (e.getValue().length == 2) {
        matrices += n;
      }
      if (name.startsWith("model.layers.") && name.contains("_proj.")) {
        for (String t : TuningJobSpec.LORA_TARGETS) {
          if (name.endsWith("." + t + ".weight")) {
            lora += (long) spec.rank() * (e.getValue()[0] + e.getValue()[1]);
          }
        }
      }
    }
    long weights =
        spec.method() == TuningJobSpec.Method.QLORA_NF4
            ? (all - matrices - head) * 4
                + (long) Math.ceil(matrices * Nf4.nominalBitsPerParameter() / 8)
                + (long) Math.ceil(head * Int8.BITS_PER_PARAMETER / 8)
            : all * 4;
    long trainable =
        switch (spec.method()) {
          case LORA, QLORA_NF4 -> lora;
          case PTUNING ->
              2L * c.numHiddenLayers() * c.numKeyValueHeads() * spec.rank() * c.headDim();
          case FULL -> all;
        };
    // Gradient and two moments; adapters also hold the array itself (full tuning's is a weight).
    long optimizer = trainable * 4 * (spec.method() == TuningJobSpec.Method.FULL ? 3 : 4);
    long longest = 0;
    for (JobDocument d : spec.train()) {
      longest =
          Math.max(
              longest,
              d.example().prompt().getBytes(StandardCharsets.UTF_8).length
                  + d.example().response().getBytes(StandardCharsets.UTF_8).length
                  + 2L);
    }
    long t = Math.min(longest, c.maxPositionEmbeddings());
    long b = Math.min(spec.batchSize(), spec.train().size());
    long prefix = spec.method() == TuningJobSpec.Method.PTUNING ? spec.rank() : 0;
    long h = c.hiddenSize();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    long perLayer =
        2 * h
            + 2 * (h + 2 * kv)
            + 2 * h
            + 4L * c.intermediateSize()
            + 2L * c.numAttentionHeads() * (t + prefix);
    long logits = 3L * c.vocabSize();
    long activations =
        spec.tuningMethod().recomputesLayers()
            ? 4 * b * t * (c.numHiddenLayers() * h + perLayer + logits) + 4 * layerMatrices(shapes)
            : 4 * b * t * (c.numHiddenLayers() * perLayer + logits);
    return new MemoryEstimate(weights, optimizer, activations, 8 * trainable);
  }

  // Weights in one decoder layer's matrices: what a recomputed layer holds dequantised.
  private static long layerMatrices(Map<String, long[]> shapes) {
    long n = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      if (e.getKey().startsWith("model.layers.0.") && e.getValue().length == 2) {
        n += e.getValue()[0] * e.getValue()[1];
      }
    }
    return n;
  }
}
