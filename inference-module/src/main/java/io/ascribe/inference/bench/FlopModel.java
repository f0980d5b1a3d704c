package io.ascribe.inference.bench;

import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;

/**
 * The training FLOPs one token costs, counted the usual way (a multiply-add is 2 FLOPs) for the
 * matrix products the decoder runs, so a method's FLOP/s can be set against a plain matmul's. The
 * forward pass costs 2 per weight of every projection and the LM head, plus the attention scores
 * and their weighted sum, 4 · hidden per key position per layer over the whole (masked) sequence,
 * as the engine computes it. The backward pass costs one forward again for the activation
 * gradients, plus another for the weight gradients only where weights train: all of them in full
 * fine-tuning (3× forward in all), only the adapter's in LoRA and QLoRA, whose A and B cost 6 per
 * trainable value, and none of the base's in prefix tuning, whose prefixes lengthen every attention
 * instead. Embedding look-ups, norms, activations and NF4 dequantisation are not counted: they are
 * overhead the share exposes.
 */
public final class FlopModel {
  private FlopModel() {}

  /** FLOPs per trained token of {@code method} on a sequence of {@code seqLen} tokens. */
  public static double perToken(
      LlamaConfig c, String method, double seqLen, int prefixLength, long trainable) {
    long projections = 0;
    for (var e : LlamaModel.expectedShapes(c).entrySet()) {
      long[] s = e.getValue();
      if (s.length == 2 && e.getKey().startsWith("model.layers.")) {
        projections += s[0] * s[1];
      }
    }
    long head = (long) c.vocabSize() * c.hiddenSize();
    double keys = seqLen + ("ptuning".equals(method) ? prefixLength : 0);
    double attention = 4.0 * c.hiddenSize() * keys * c.numHiddenLayers();
    double forward = 2.0 * (projections + head) + attention;
    return switch (method) {
      case "full" -> 3 * forward;
      case "lora", "qlora" -> 2 * forward + 6.0 * trainable;
      case "ptuning" -> 2 * forward;
      default -> throw new IllegalArgumentException("unknown method " + method);
    };
  }
}
