package io.ascribe.inference.train;

import io.ascribe.inference.model.Precision;

/**
 * Dynamic loss scaling for float16 training, as PyTorch's {@code GradScaler} does it: the loss is
 * multiplied by the scale before the backward pass so small gradients do not underflow float16, and
 * the optimiser divides them by it again. A step whose gradients came out non-finite (float16
 * overflowed) is skipped and the scale halved; after {@value #GROWTH_INTERVAL} finite steps in a
 * row it doubles. In float32 it is inactive: the scale stays 1 and no step is skipped.
 */
final class LossScaler {
  static final double INITIAL_SCALE = 65536;
  static final int GROWTH_INTERVAL = 2000;

  private final boolean active;
  private double scale;
  private int goodSteps;

  LossScaler(boolean active, double scale, int goodSteps) {
    if (!(scale > 0) || goodSteps < 0) {
      throw new IllegalArgumentException("loss scale must be positive, got " + scale);
    }
    this.active = active;
    this.scale = active ? scale : 1;
    this.goodSteps = goodSteps;
  }

  /** Active for half precision (usually from {@link #INITIAL_SCALE}), inactive for float32. */
  static LossScaler forPrecision(Precision p, double initialScale) {
    return new LossScaler(p != Precision.FP32, initialScale, 0);
  }

  boolean active() {
    return active;
  }

  double scale() {
    return scale;
  }

  int goodSteps() {
    return goodSteps;
  }

  /** Records whether a step's gradients were finite (if not, the optimiser skipped it). */
  void update(boolean finite) {
    if (!active) {
      return;
    }
    if (!finite) {
      scale /= 2;
      goodSteps = 0;
    } else if (++goodSteps == GROWTH_INTERVAL) {
      scale *= 2;
      goodSteps = 0;
    }
  }
}
