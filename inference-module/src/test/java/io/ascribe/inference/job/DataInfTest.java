package io.ascribe.inference.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DataInfTest {
  /**
   * Linear regression with two weights, ℓ_i(θ) = ½(θ·x_i − y_i)², at a θ where every residual r_i
   * is ±1: the gradients are g_i = r_i·x_i, and the Hessian (1/n)Σ x_i x_iᵀ equals the empirical
   * Fisher (1/n)Σ g_i g_iᵀ, so the exact influence (1/n)·vᵀ(H + λI)⁻¹g_k is what DataInf
   * approximates, with no Gauss-Newton gap in between.
   */
  private static final double[][] X = {{1.0, 0.5}, {0.3, 1.0}, {-0.6, 0.8}, {1.0, -0.2}};

  private static final double[] RESIDUAL = {1, -1, 1, -1};
  private static final float[] EVAL = {0.4f, -0.7f};

  private static float[][][] regressionGradients() {
    float[][][] g = new float[X.length][1][2];
    for (int i = 0; i < X.length; i++) {
      g[i][0][0] = (float) (RESIDUAL[i] * X[i][0]);
      g[i][0][1] = (float) (RESIDUAL[i] * X[i][1]);
    }
    return g;
  }

  /** (1/n)·vᵀ(H + λI)⁻¹g_k for every k, with the 2×2 inverse written out. */
  private static double[] exactInfluence(float[][][] g, double lambda) {
    int n = g.length;
    double a = lambda;
    double b = 0;
    double d = lambda;
    for (double[] x : X) {
      a += x[0] * x[0] / n;
      b += x[0] * x[1] / n;
      d += x[1] * x[1] / n;
    }
    double det = a * d - b * b;
    // (H + λI)⁻¹ = [[d, −b], [−b, a]] / det; w = (H + λI)⁻¹ v (symmetric, so vᵀ(H+λI)⁻¹ = wᵀ).
    double w0 = (d * EVAL[0] - b * EVAL[1]) / det;
    double w1 = (-b * EVAL[0] + a * EVAL[1]) / det;
    double[] out = new double[n];
    for (int k = 0; k < n; k++) {
      out[k] = (w0 * g[k][0][0] + w1 * g[k][0][1]) / n;
    }
    return out;
  }

  /** λ as DataInf sets it: damping times the mean squared gradient entry (d = 2 here). */
  private static double lambda(float[][][] g, double damping) {
    double sum = 0;
    for (float[][] doc : g) {
      sum += doc[0][0] * (double) doc[0][0] + doc[0][1] * (double) doc[0][1];
    }
    return damping * sum / (g.length * 2.0);
  }

  @Test
  void withDampingAboveTheGradientsItMatchesTheExactInverseHessianInfluence() {
    float[][][] g = regressionGradients();
    double damping = 10;
    double[] exact = exactInfluence(g, lambda(g, damping));
    double[] scores = DataInf.scores(g, new float[][] {EVAL}, damping);
    double largest = 0;
    for (double e : exact) {
      largest = Math.max(largest, Math.abs(e));
    }
    // DataInf's swap of inverse and mean agrees with the exact inverse to first order in ‖g‖²/λ;
    // here ‖g‖²/λ ≈ 0.2 and the error, worked out, is 0.74% of the largest score.
    for (int k = 0; k < exact.length; k++) {
      assertThat(scores[k]).as("doc %d", k).isCloseTo(exact[k], within(0.01 * largest));
    }
  }

  @Test
  void atTheDefaultDampingTheMagnitudesDriftButTheOrderAndSignsHold() {
    // With λ far below ‖g‖² and as many documents as twice the weights, the swap overstates every
    // score (about 5× here), but evenly enough that the ranking and the signs, which is what the
    // fee split and leave-one-out agreement use, are the exact ones.
    float[][][] g = regressionGradients();
    double[] exact = exactInfluence(g, lambda(g, DataInf.DEFAULT_DAMPING));
    double[] scores = DataInf.scores(g, new float[][] {EVAL}, DataInf.DEFAULT_DAMPING);
    assertThat(InfluenceBenchmark.ranks(scores)).containsExactly(InfluenceBenchmark.ranks(exact));
    for (int k = 0; k < exact.length; k++) {
      assertThat(Math.signum(scores[k])).isEqualTo(Math.signum(exact[k]));
    }
  }

  @Test
  void identicalGradientsAreExactAtAnyDamping() {
    // When every document has the same gradient g the swap changes nothing: H + λI = ggᵀ + λI, and
    // Sherman–Morrison gives (1/n)·v·g / (λ + ‖g‖²) exactly.
    float[] g = {0.3f, -1.2f, 0.5f};
    float[] v = {1.0f, 0.2f, -0.4f};
    int n = 5;
    float[][][] train = new float[n][][];
    for (int i = 0; i < n; i++) {
      train[i] = new float[][] {g};
    }
    double norm2 = 0.3 * 0.3 + 1.2 * 1.2 + 0.5 * 0.5;
    double vg = 0.3 * 1.0 - 1.2 * 0.2 - 0.5 * 0.4;
    for (double damping : new double[] {0.01, DataInf.DEFAULT_DAMPING, 1, 100}) {
      double lambda = damping * norm2 / 3;
      double want = vg / (lambda + norm2) / n;
      for (double s : DataInf.scores(train, new float[][] {v}, damping)) {
        assertThat(s).isCloseTo(want, within(1e-6 * Math.abs(want)));
      }
    }
  }

  @Test
  void blocksAreScoredApartAndRescalingABlockChangesNothing() {
    float[][][] g = regressionGradients();
    float[][][] two = new float[g.length][][];
    float[][][] scaled = new float[g.length][][];
    float[][][] zero = new float[g.length][][];
    for (int i = 0; i < g.length; i++) {
      float[] second = {g[i][0][1], -g[i][0][0]};
      two[i] = new float[][] {g[i][0], second};
      scaled[i] = new float[][] {g[i][0], {second[0] * 1024, second[1] * 1024}};
      zero[i] = new float[][] {g[i][0], {0, 0}};
    }
    float[] evalSecond = {0.9f, 0.1f};
    double[] a = DataInf.scores(g, new float[][] {EVAL}, 0.1);
    double[] b = DataInf.scores(two, new float[][] {EVAL, evalSecond}, 0.1);
    float[][][] second = new float[g.length][][];
    for (int i = 0; i < g.length; i++) {
      second[i] = new float[][] {two[i][1]};
    }
    double[] c = DataInf.scores(second, new float[][] {evalSecond}, 0.1);
    // Block-diagonal: the score over two blocks is the sum of each block's score.
    for (int k = 0; k < g.length; k++) {
      assertThat(b[k]).isCloseTo(a[k] + c[k], within(1e-12));
    }
    // λ follows each block's own scale, so a block's gradients ×1024 (loss ×1024 for it, train and
    // eval alike) leave the scores as they are: no block wins by having larger numbers.
    double[] s =
        DataInf.scores(
            scaled, new float[][] {EVAL, {evalSecond[0] * 1024, evalSecond[1] * 1024}}, 0.1);
    for (int k = 0; k < g.length; k++) {
      assertThat(s[k]).isCloseTo(b[k], within(1e-9 * Math.abs(b[k])));
    }
    // A block with no gradient adds nothing (rather than dividing by a zero λ).
    double[] z = DataInf.scores(zero, new float[][] {EVAL, {0, 0}}, 0.1);
    assertThat(z).containsExactly(a);
  }

  @Test
  void theGradientsAreReadInThreeSweepsAndTheScoresRepeatBitForBit() {
    float[][][] g = regressionGradients();
    AtomicInteger reads = new AtomicInteger();
    DataInf.Gradients counted =
        new DataInf.Gradients() {
          @Override
          public int count() {
            return g.length;
          }

          @Override
          public float[][] of(int doc) {
            reads.incrementAndGet();
            // A fresh copy each time, as a recomputing source gives.
            return new float[][] {g[doc][0].clone()};
          }
        };
    double[] once = DataInf.scores(counted, new float[][] {EVAL}, 0.1);
    assertThat(reads).hasValue(3 * g.length);
    assertThat(DataInf.scores(g, new float[][] {EVAL}, 0.1)).containsExactly(once);
  }

  @Test
  void badInputIsRefusedNamingTheFix() {
    float[][][] g = regressionGradients();
    assertThatThrownBy(() -> DataInf.scores(g, new float[][] {EVAL}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("damping must be a positive finite number")
        .hasMessageContaining("0.1");
    assertThatThrownBy(() -> DataInf.scores(g, new float[][] {EVAL}, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DataInf.scores(g, new float[][] {{1, 2, 3}}, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same trainable arrays");
  }
}
