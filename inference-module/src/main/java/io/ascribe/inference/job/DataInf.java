package io.ascribe.inference.job;

/**
 * DataInf (Kwon et al. 2023): each training document's influence on the evaluation loss through a
 * closed-form approximation of the inverse-Hessian-vector product, from the documents' gradients
 * and the evaluation gradient at one point θ (each point {@link Influence} scores) and nothing
 * else. The parameters are split into blocks (one per adapted module: a LoRA module's A and B) and
 * the Hessian is taken block-diagonal, each block the damped empirical Fisher {@code G_l + λ_l I}
 * with {@code G_l = (1/n) Σ_i g_li g_liᵀ}. DataInf swaps the inverse and the average, {@code (G_l +
 * λ_l I)⁻¹ ≈ (1/n) Σ_i (g_li g_liᵀ + λ_l I)⁻¹}, and each term inverts in closed form
 * (Sherman–Morrison): {@code (1/λ_l)(I − g_li g_liᵀ / (λ_l + ‖g_li‖²))}. With {@code v_l} the
 * evaluation gradient's block, the score of document k is
 *
 * <pre>
 *   score(k) = (1/n) Σ_l (1/λ_l) · (v_l·g_lk − u_l·g_lk),
 *   u_l = (1/n) Σ_i c_li g_li,   c_li = (v_l·g_li) / (λ_l + ‖g_li‖²),
 * </pre>
 *
 * which is {@code (1/n) vᵀ H⁻¹ g_k}: to first order, the rise of the evaluation loss when document
 * k is left out of the n it was trained on. Positive means the document lowers the evaluation loss,
 * as for TracIn; the {@code u_l} term discounts what the other documents already teach, so
 * near-duplicates share their credit instead of each earning it in full.
 *
 * <p>The damping is relative: {@code λ_l = damping · (1/(n·d_l)) Σ_i ‖g_li‖²}, the block's mean
 * squared gradient entry, which is the mean of {@code G_l}'s diagonal and so its mean eigenvalue
 * (the paper's choice, with {@code damping} = 0.1). Relative damping keeps the scores' ranking the
 * same when the loss is rescaled, and with {@code d_l ≫ n}, as for LoRA, it sits far below the
 * nonzero eigenvalues (about {@code d_l/n} times the mean) so that the inverse still sees the
 * gradients' directions instead of flattening into a plain dot product, as a large λ does.
 *
 * <p>Deterministic: the sums run in document then entry order in {@code double}, so the same
 * gradients give the same bits. The gradients are read in three sweeps (norms and evaluation dots,
 * then {@code u}, then the scores), so a caller may keep them or recompute them per sweep.
 */
public final class DataInf {
  /** The paper's damping: λ is a tenth of each block's mean squared gradient entry. */
  public static final double DEFAULT_DAMPING = 0.1;

  private DataInf() {}

  /**
   * The training documents' gradients, each as its blocks (one flattened {@code float[]} per block
   * of parameters, the same blocks in the same order for every document). {@link #of} may be asked
   * for the same document more than once and must give the same numbers each time.
   */
  public interface Gradients {
    int count();

    float[][] of(int doc);
  }

  /** {@link #scores(Gradients, float[][], double)} for gradients held in memory. */
  public static double[] scores(float[][][] train, float[][] eval, double damping) {
    return scores(
        new Gradients() {
          @Override
          public int count() {
            return train.length;
          }

          @Override
          public float[][] of(int doc) {
            return train[doc];
          }
        },
        eval,
        damping);
  }

  /**
   * The score of each of {@code train}'s documents, in their order, against the evaluation gradient
   * {@code eval}, with λ_l = {@code damping} times block l's mean squared gradient entry. A block
   * whose training gradients are all zero adds nothing.
   *
   * @throws IllegalArgumentException when the damping is not positive and finite, or a document's
   *     blocks do not match the evaluation gradient's
   */
  public static double[] scores(Gradients train, float[][] eval, double damping) {
    if (!(damping > 0) || Double.isInfinite(damping)) {
      throw new IllegalArgumentException(
          "damping must be a positive finite number (DataInf's default is "
              + DEFAULT_DAMPING
              + "), got "
              + damping);
    }
    int n = train.count();
    int blocks = eval.length;
    double[][] norm2 = new double[blocks][n];
    double[][] evalDot = new double[blocks][n];
    for (int i = 0; i < n; i++) {
      float[][] g = checked(train.of(i), eval, i);
      for (int l = 0; l < blocks; l++) {
        norm2[l][i] = dot(g[l], g[l]);
        evalDot[l][i] = dot(eval[l], g[l]);
      }
    }
    double[] lambda = new double[blocks];
    double[][] weight = new double[blocks][n];
    for (int l = 0; l < blocks; l++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += norm2[l][i];
      }
      lambda[l] = damping * sum / ((double) n * eval[l].length);
      for (int i = 0; i < n; i++) {
        weight[l][i] = lambda[l] > 0 ? evalDot[l][i] / (lambda[l] + norm2[l][i]) / n : 0;
      }
    }
    double[][] u = new double[blocks][];
    for (int l = 0; l < blocks; l++) {
      u[l] = new double[eval[l].length];
    }
    for (int i = 0; i < n; i++) {
      float[][] g = checked(train.of(i), eval, i);
      for (int l = 0; l < blocks; l++) {
        double w = weight[l][i];
        double[] ul = u[l];
        float[] gl = g[l];
        for (int j = 0; j < gl.length; j++) {
          ul[j] += w * gl[j];
        }
      }
    }
    double[] scores = new double[n];
    for (int k = 0; k < n; k++) {
      float[][] g = checked(train.of(k), eval, k);
      double s = 0;
      for (int l = 0; l < blocks; l++) {
        if (lambda[l] > 0) {
          s += (evalDot[l][k] - dot(u[l], g[l])) / lambda[l];
        }
      }
      scores[k] = s / n;
    }
    return scores;
  }

  private static float[][] checked(float[][] g, float[][] eval, int doc) {
    boolean same = g.length == eval.length;
    for (int l = 0; same && l < g.length; l++) {
      same = g[l].length == eval[l].length;
    }
    if (!same) {
      throw new IllegalArgumentException(
          "document "
              + doc
              + "'s gradient has other blocks than the evaluation gradient; take both from the"
              + " same trainable arrays");
    }
    return g;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += (double) a[j] * b[j];
    }
    return s;
  }

  private static double dot(double[] a, float[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * b[j];
    }
    return s;
  }
}
