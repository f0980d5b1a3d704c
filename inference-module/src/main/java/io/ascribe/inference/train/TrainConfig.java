package io.ascribe.inference.train;

/**
 * What a training run does: AdamW with learning rate {@code lr}, decoupled {@code weightDecay},
 * betas and epsilon, {@code steps} optimiser steps over batches of {@code batchSize} examples, the
 * global gradient norm clipped to {@code clipNorm} (0 to turn it off), and {@code seed} for batch
 * order and PyTorch's generator.
 */
public record TrainConfig(
    double lr,
    double weightDecay,
    double beta1,
    double beta2,
    double eps,
    int steps,
    int batchSize,
    double clipNorm,
    long seed) {
  public TrainConfig {
    if (!(lr > 0) || steps <= 0 || batchSize <= 0 || clipNorm < 0) {
      throw new IllegalArgumentException(
          "need lr > 0, steps > 0, batch > 0 and clip ≥ 0; got lr "
              + lr
              + ", steps "
              + steps
              + ", batch "
              + batchSize
              + ", clip "
              + clipNorm);
    }
  }

  /** Usual defaults for LoRA: AdamW(0.9, 0.999, 1e-8), no weight decay, clip at 1. */
  public static TrainConfig lora(double lr, int steps, int batchSize, long seed) {
    return new TrainConfig(lr, 0, 0.9, 0.999, 1e-8, steps, batchSize, 1.0, seed);
  }
}
