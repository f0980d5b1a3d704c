package io.ascribe.inference.train;

/**
 * The learning-rate multiplier over a run, a closed set: constant, or linear warm-up followed by a
 * cosine decay to {@code minRatio} of the peak (Hugging Face's {@code
 * get_cosine_schedule_with_warmup} when {@code minRatio} is 0). Steps count from 1, so the first
 * step already moves (warm-up step s of w uses s / w, never 0).
 */
public sealed interface Schedule {
  /** The multiplier of the peak learning rate at {@code step} (1-based) of {@code total}. */
  double factor(int step, int total);

  /** The same learning rate throughout. */
  record Constant() implements Schedule {
    @Override
    public double factor(int step, int total) {
      return 1;
    }
  }

  /** Linear warm-up over {@code warmupSteps}, then half a cosine down to {@code minRatio}. */
  record WarmupCosine(int warmupSteps, double minRatio) implements Schedule {
    public WarmupCosine {
      if (warmupSteps < 0 || !(minRatio >= 0 && minRatio <= 1)) {
        throw new IllegalArgumentException(
            "need warm-up ≥ 0 and min ratio in [0, 1]; got " + warmupSteps + ", " + minRatio);
      }
    }

    @Override
    public double factor(int step, int total) {
      if (step <= warmupSteps) {
        return (double) step / warmupSteps;
      }
      double progress = (double) (step - warmupSteps) / Math.max(1, total - warmupSteps);
      return minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
    }
  }
}
