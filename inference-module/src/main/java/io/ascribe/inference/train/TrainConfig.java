package io.ascribe.inference.train;

/**
 * What a training run does: AdamW with peak learning rate {@code lr} shaped by {@code schedule},
 * decoupled {@code weightDecay}, betas and epsilon; {@code steps} optimiser steps, each over {@code
 * accumulation} micro-batches of {@code batchSize} examples whose gradients add up before the
 * update; the global gradient norm clipped to {@code clipNorm} (0 to turn it off); and {@code seed}
 * for batch order and PyTorch's generator.
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
    long seed,
    Schedule schedule,
    int accumulation) {
  public TrainConfig {
    if (!(lr > 0) || steps <= 0 || batchSize <= 0 || clipNorm < 0 || accumulation <= 0) {
      throw new IllegalArgumentException(
          "need lr > 0, steps > 0, batch > 0, accumulation > 0 and clip ≥ 0; got lr "
              + lr
              + ", steps "
              + steps
              + ", batch "
              + batchSize
              + ", accumulation "
              + accumulation
              + ", clip "
              + clipNorm);
    }
    if (schedule == null) {
      throw new IllegalArgumentException("a schedule is required (Schedule.Constant for none)");
    }
  }

  /** Usual defaults for LoRA: AdamW(0.9, 0.999, 1e-8), no weight decay, clip at 1, constant lr. */
  public static TrainConfig lora(double lr, int steps, int batchSize, long seed) {
    return new TrainConfig(
        lr, 0, 0.9, 0.999, 1e-8, steps, batchSize, 1.0, seed, new Schedule.Constant(), 1);
  }

  public TrainConfig withSchedule(Schedule s) {
    return new TrainConfig(
        lr, weightDecay, beta1, beta2, eps, steps, batchSize, clipNorm, seed, s, accumulation);
  }

  public TrainConfig withAccumulation(int micro) {
    return new TrainConfig(
        lr, weightDecay, beta1, beta2, eps, steps, batchSize, clipNorm, seed, schedule, micro);
  }

  public TrainConfig withSteps(int n) {
    return new TrainConfig(
        lr, weightDecay, beta1, beta2, eps, n, batchSize, clipNorm, seed, schedule, accumulation);
  }

  /** The learning rate of {@code step} (1-based). */
  public double lrAt(int step) {
    return lr * schedule.factor(step, steps);
  }
}
