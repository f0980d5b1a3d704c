package io.ascribe.inference.tuning;

import ai.djl.ndarray.NDArray;
import io.ascribe.inference.lora.LoraAdapter;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.Trainable;
import java.util.Map;

/**
 * How a base model is fine-tuned, as one value the trainer and the benchmark can swap: LoRA, QLoRA
 * (LoRA over an NF4 base), prefix tuning (P-tuning v2) or full fine-tuning. {@link #applyTo}
 * prepares the model (quantising it for QLoRA, attaching the adapter) and returns what to train.
 */
public sealed interface TuningMethod {
  /** The method's short name, as the CLI and the benchmark table spell it. */
  String name();

  /** Prepares {@code model} for this method and returns its trainable arrays. */
  Trainable applyTo(LlamaModel model);

  /**
   * Whether training recomputes each layer's activations by default ({@link
   * io.ascribe.inference.train.Trainer#setRecomputeLayers}): QLoRA does, as PEFT's QLoRA recipe
   * turns on gradient checkpointing, because its point is memory and without it the backward pass
   * holds every layer's dequantised weights at once.
   */
  default boolean recomputesLayers() {
    return false;
  }

  /**
   * Whether the base is held in NF4 for this method (QLoRA), so that it can be loaded that way
   * ({@link LlamaModel#load(java.nio.file.Path, ai.djl.ndarray.NDManager, boolean)}) instead of in
   * float32 first.
   */
  default boolean quantizesBase() {
    return false;
  }

  /** LoRA on float32 base weights; A drawn from {@code seed}. */
  record Lora(LoraConfig config, long seed) implements TuningMethod {
    @Override
    public String name() {
      return "lora";
    }

    @Override
    public Trainable applyTo(LlamaModel model) {
      LoraAdapter adapter = LoraAdapter.create(model, config, seed);
      model.attach(adapter);
      return adapter;
    }
  }

  /** QLoRA: the base's projections are quantised to NF4 (if not yet), then LoRA on top. */
  record QLora(LoraConfig config, long seed) implements TuningMethod {
    @Override
    public String name() {
      return "qlora";
    }

    @Override
    public Trainable applyTo(LlamaModel model) {
      if (!model.isQuantized()) {
        model.quantizeNf4();
      }
      LoraAdapter adapter = LoraAdapter.create(model, config, seed);
      model.attach(adapter);
      return adapter;
    }

    @Override
    public boolean recomputesLayers() {
      return true;
    }

    @Override
    public boolean quantizesBase() {
      return true;
    }
  }

  /** Prefix tuning / P-tuning v2 with {@code prefixLength} positions per layer. */
  record PrefixTuning(int prefixLength, long seed) implements TuningMethod {
    public PrefixTuning {
      if (prefixLength <= 0) {
        throw new IllegalArgumentException("prefix length must be positive, got " + prefixLength);
      }
    }

    @Override
    public String name() {
      return "ptuning";
    }

    @Override
    public Trainable applyTo(LlamaModel model) {
      PrefixAdapter adapter = PrefixAdapter.create(model, prefixLength, seed);
      model.attach(adapter);
      return adapter;
    }
  }

  /** Full fine-tuning: every float32 weight of the model is trained. */
  record Full() implements TuningMethod {
    @Override
    public String name() {
      return "full";
    }

    @Override
    public Trainable applyTo(LlamaModel model) {
      if (model.isQuantized()) {
        throw new ModelException("full fine-tuning needs float32 weights, not an NF4 base");
      }
      return new AllWeights(model.weights());
    }
  }

  /** Every weight of a model; closing it leaves them in place (they are the model). */
  record AllWeights(Map<String, NDArray> namedParameters) implements Trainable {
    @Override
    public void close() {}
  }
}
