package io.ascribe.inference.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.ascribe.inference.Torch;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamWTest {
  /**
   * Loss ½·Σ c·w² (gradient c·w) over one array, stepped by AdamW and by the textbook update in
   * doubles: with clipping and decay on, the results agree to float precision, and the optimiser
   * makes no arrays that outlive a step.
   */
  @Test
  void theUpdateIsTheTextbookOneAndLeavesNoTemporariesBehind() {
    TrainConfig cfg =
        new TrainConfig(0.05, 0.1, 0.9, 0.999, 1e-8, 10, 1, 0.5, 1, new Schedule.Constant(), 1);
    int n = 6;
    float[] start = {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.5f};
    float[] c = {1, 2, 3, 0.5f, 4, 1.5f};
    double[] w = new double[n];
    double[] m = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = start[i];
    }
    try (NDManager root = NDManager.newBaseManager(Torch.ENGINE)) {
      NDArray p = root.create(start, new Shape(n));
      NDArray coef = root.create(c, new Shape(n));
      try (AdamW opt = new AdamW(List.of(p), cfg, root)) {
        int arraysAfterFirst = -1;
        for (int t = 1; t <= 8; t++) {
          try (NDManager step = root.newSubManager();
              GradientCollector gc = Torch.engine().newGradientCollector()) {
            // Each op's result lands in its first operand's manager: move them all to the step's.
            NDArray sq = p.square();
            sq.attach(step);
            NDArray weighted = sq.mul(coef);
            NDArray loss = weighted.sum().mul(Torch.scalar(step, 0.5));
            gc.backward(loss);
          }
          double norm = opt.step(cfg.lr());
          // The reference: clip the global norm, decoupled decay, bias-corrected moments.
          double sq = 0;
          double[] g = new double[n];
          for (int i = 0; i < n; i++) {
            g[i] = c[i] * w[i];
            sq += g[i] * g[i];
          }
          assertThat(norm).isCloseTo(Math.sqrt(sq), within(1e-5 * Math.sqrt(sq)));
          double clip = Math.sqrt(sq) > cfg.clipNorm() ? cfg.clipNorm() / Math.sqrt(sq) : 1;
          for (int i = 0; i < n; i++) {
            double gi = g[i] * clip;
            m[i] = 0.9 * m[i] + 0.1 * gi;
            v[i] = 0.999 * v[i] + 0.001 * gi * gi;
            double mHat = m[i] / (1 - Math.pow(0.9, t));
            double vHat = v[i] / (1 - Math.pow(0.999, t));
            w[i] = w[i] * (1 - cfg.lr() * cfg.weightDecay());
            w[i] -= cfg.lr() * mHat / (Math.sqrt(vHat) + 1e-8);
          }
          float[] got = p.toFloatArray();
          for (int i = 0; i < n; i++) {
            assertThat((double) got[i]).isCloseTo(w[i], within(1e-5));
          }
          int arrays = root.getManagedArrays().size();
          if (t == 1) {
            arraysAfterFirst = arrays;
          }
          assertThat(arrays).as("arrays held after step %d", t).isEqualTo(arraysAfterFirst);
        }
      }
    }
  }
}
