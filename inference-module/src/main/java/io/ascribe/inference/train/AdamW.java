package io.ascribe.inference.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter 2019) over a fixed list of arrays, updating them in place from their
 * gradients and then zeroing the gradients. Weight decay is decoupled: it shrinks the weights
 * directly instead of entering the moment estimates.
 */
public final class AdamW implements AutoCloseable {
  private final List<NDArray> params;
  private final NDManager manager;
  private final NDArray[] m;
  private final NDArray[] v;
  private final TrainConfig config;
  private int t;

  public AdamW(List<NDArray> params, TrainConfig config, NDManager parent) {
    this.params = List.copyOf(params);
    this.config = config;
    this.manager = parent.newSubManager();
    this.m = new NDArray[params.size()];
    this.v = new NDArray[params.size()];
    for (int i = 0; i < params.size(); i++) {
      m[i] = manager.zeros(params.get(i).getShape());
      v[i] = manager.zeros(params.get(i).getShape());
      params.get(i).setRequiresGradient(true);
    }
  }

  /** One update at the configured (peak) learning rate; see {@link #step(double)}. */
  public double step() {
    return step(config.lr());
  }

  /**
   * One update at learning rate {@code lr} from the accumulated gradients (run outside a gradient
   * collector). Returns the global gradient norm before clipping.
   */
  public double step(double lr) {
    return step(lr, 1);
  }

  /**
   * As {@link #step(double)} for gradients of a loss multiplied by {@code gradScale} (loss
   * scaling): they are divided by it first. With a scale other than 1, a non-finite norm (the
   * half-precision backward pass overflowed) skips the update: the gradients are cleared, the
   * weights, moments and step count stay as they were, and the norm is returned as it came out.
   */
  public double step(double lr, double gradScale) {
    try (NDManager tmp = manager.newSubManager()) {
      NDArray[] grads = new NDArray[params.size()];
      NDArray[] unscaled = new NDArray[params.size()];
      double sq = 0;
      for (int i = 0; i < grads.length; i++) {
        grads[i] = params.get(i).getGradient();
        grads[i].attach(tmp);
        unscaled[i] = gradScale == 1 ? grads[i] : grads[i].div(gradScale);
        sq += unscaled[i].square().sum().getFloat();
      }
      double norm = Math.sqrt(sq);
      if (gradScale != 1 && !Double.isFinite(norm)) {
        for (NDArray g : grads) {
          g.set(new NDIndex(":"), 0); // inf − inf would leave NaN behind
        }
        return norm;
      }
      t++;
      double clip =
          config.clipNorm() > 0 && norm > config.clipNorm() ? config.clipNorm() / norm : 1;
      double b1 = config.beta1();
      double b2 = config.beta2();
      double lrT = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
      double epsT = config.eps() * Math.sqrt(1 - Math.pow(b2, t));
      for (int i = 0; i < grads.length; i++) {
        // Every temporary is made in place or moved to tmp: an op's result lands in the manager of
        // its first operand, and the moments live in the optimiser's long-lived manager, so
        // m.div(...) or v.sqrt() would otherwise pile up parameter-sized arrays until close().
        // g may be the gradient itself: scaling it in place is harmless, it is zeroed below.
        NDArray g = unscaled[i];
        if (clip != 1) {
          g.muli(clip);
        }
        m[i].muli(b1).addi(g.mul(1 - b1));
        v[i].muli(b2).addi(g.square().muli(1 - b2));
        NDArray p = params.get(i);
        if (config.weightDecay() > 0) {
          p.muli(1 - lr * config.weightDecay());
        }
        // The bias corrections folded into the step size, as PyTorch's AdamW does.
        NDArray update = v[i].sqrt();
        update.attach(tmp);
        update.addi(epsT);
        NDArray ratio = m[i].div(update);
        ratio.attach(tmp);
        p.subi(ratio.muli(lrT));
        grads[i].subi(grads[i]);
      }
      return norm;
    }
  }

  public int steps() {
    return t;
  }

  /** The first and second moment estimates, one pair per parameter, live (for checkpoints). */
  NDArray[][] moments() {
    return new NDArray[][] {m.clone(), v.clone()};
  }

  /** Restores a checkpointed state: the step count and the moments' values. */
  void restore(int steps, List<float[]> first, List<float[]> second) {
    if (first.size() != m.length || second.size() != v.length) {
      throw new IllegalArgumentException("optimiser state for another parameter list");
    }
    for (int i = 0; i < m.length; i++) {
      m[i].set(first.get(i));
      v[i].set(second.get(i));
    }
    t = steps;
  }

  @Override
  public void close() {
    manager.close();
  }
}
