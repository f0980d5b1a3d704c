package io.ascribe.inference.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter 2019) over a fixed list of arrays, updating them in place from their
 * gradients and then zeroing the gradients. Weight decay is decoupled: it shrinks the weights
 * directly instead of entering the moment estimates. The moments of all arrays live in one flat
 * array each, and a step works on the gradients gathered into one flat array too: the same
 * element-wise update in a dozen operations on one array instead of a dozen on each of the many
 * small ones an adapter has (a LoRA step over 56 arrays spent more time calling into libtorch than
 * computing).
 */
public final class AdamW implements AutoCloseable {
  private final List<NDArray> params;
  private final NDManager manager;
  // Where each array's values start in the flat moments (and one past the last at the end).
  private final long[] offsets;
  private final NDArray m;
  private final NDArray v;
  private final TrainConfig config;
  private int t;

  public AdamW(List<NDArray> params, TrainConfig config, NDManager parent) {
    this.params = List.copyOf(params);
    this.config = config;
    this.manager = parent.newSubManager();
    this.offsets = new long[params.size() + 1];
    for (int i = 0; i < params.size(); i++) {
      offsets[i + 1] = offsets[i] + params.get(i).size();
      params.get(i).setRequiresGradient(true);
    }
    this.m = manager.zeros(new Shape(offsets[params.size()]));
    this.v = manager.zeros(new Shape(offsets[params.size()]));
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
      NDList flat = new NDList();
      for (int i = 0; i < grads.length; i++) {
        grads[i] = params.get(i).getGradient();
        grads[i].attach(tmp);
        flat.add(grads[i].flatten());
      }
      // Every temporary is made in place or moved to tmp: an op's result lands in the manager of
      // its first operand, and the moments live in the optimiser's long-lived manager, so
      // m.div(...) or v.sqrt() would otherwise pile up arrays until close().
      NDArray g = NDArrays.concat(flat, 0);
      g.attach(tmp);
      if (gradScale != 1) {
        g.divi(gradScale);
      }
      double norm = Math.sqrt(g.square().sum().getFloat());
      if (gradScale != 1 && !Double.isFinite(norm)) {
        for (NDArray grad : grads) {
          grad.set(new NDIndex(":"), 0); // inf − inf would leave NaN behind
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
      if (clip != 1) {
        g.muli(clip);
      }
      m.muli(b1).addi(g.mul(1 - b1));
      v.muli(b2).addi(g.square().muli(1 - b2));
      // The bias corrections folded into the step size, as PyTorch's AdamW does.
      NDArray update = v.sqrt();
      update.attach(tmp);
      update.addi(epsT);
      NDArray ratio = m.div(update);
      ratio.attach(tmp);
      ratio.muli(lrT);
      for (int i = 0; i < grads.length; i++) {
        NDArray p = params.get(i);
        if (config.weightDecay() > 0) {
          p.muli(1 - lr * config.weightDecay());
        }
        p.subi(ratio.get(new NDIndex("{}:{}", offsets[i], offsets[i + 1])).reshape(p.getShape()));
        grads[i].subi(grads[i]);
      }
      return norm;
    }
  }

  public int steps() {
    return t;
  }

  /**
   * The first and second moment estimates, one pair per parameter: live views of the flat moments
   * (for checkpoints), owned by the optimiser until it closes.
   */
  NDArray[][] moments() {
    NDArray[][] mv = new NDArray[2][params.size()];
    for (int i = 0; i < params.size(); i++) {
      NDIndex range = new NDIndex("{}:{}", offsets[i], offsets[i + 1]);
      mv[0][i] = m.get(range).reshape(params.get(i).getShape());
      mv[1][i] = v.get(range).reshape(params.get(i).getShape());
    }
    return mv;
  }

  /** Restores a checkpointed state: the step count and the moments' values. */
  void restore(int steps, List<float[]> first, List<float[]> second) {
    if (first.size() != params.size() || second.size() != params.size()) {
      throw new IllegalArgumentException("optimiser state for another parameter list");
    }
    m.set(flatten(first));
    v.set(flatten(second));
    t = steps;
  }

  private float[] flatten(List<float[]> values) {
    float[] all = new float[Math.toIntExact(offsets[params.size()])];
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).length != offsets[i + 1] - offsets[i]) {
        throw new IllegalArgumentException(
            "optimiser state for another parameter list: parameter "
                + i
                + " has "
                + (offsets[i + 1] - offsets[i])
                + " values, the state "
                + values.get(i).length);
      }
      System.arraycopy(values.get(i), 0, all, Math.toIntExact(offsets[i]), values.get(i).length);
    }
    return all;
  }

  @Override
  public void close() {
    manager.close();
  }
}
