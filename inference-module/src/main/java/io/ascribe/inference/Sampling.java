package io.ascribe.inference;

import java.util.Arrays;

/**
 * How the next token is chosen from the logits, a closed set: greedy (the most likely token), or a
 * seeded random draw after dividing the logits by a temperature and keeping only the {@code topK}
 * most likely tokens (0: all) and then the smallest set of most likely tokens whose probability
 * reaches {@code topP} (nucleus sampling; 1: all). The draw happens in Java from a {@link
 * java.util.Random} seeded per generation, so a seed gives the same text on every machine and
 * device.
 */
public sealed interface Sampling {
  /** The chosen token id. */
  int pick(float[] logits, java.util.Random random);

  /** The most likely token (the lowest id on a tie). */
  record Greedy() implements Sampling {
    @Override
    public int pick(float[] logits, java.util.Random random) {
      int best = 0;
      for (int i = 1; i < logits.length; i++) {
        if (logits[i] > logits[best]) {
          best = i;
        }
      }
      return best;
    }
  }

  /** Temperature, top-k and top-p sampling from a generator seeded with {@code seed}. */
  record Sampled(double temperature, int topK, double topP, long seed) implements Sampling {
    public Sampled {
      if (!(temperature > 0) || topK < 0 || !(topP > 0 && topP <= 1)) {
        throw new IllegalArgumentException(
            "need temperature > 0, top-k ≥ 0 and top-p in (0, 1]; got "
                + temperature
                + ", "
                + topK
                + ", "
                + topP);
      }
    }

    /**
     * The probabilities the draw uses: softmax of logits / temperature over the tokens top-k and
     * top-p keep, zero elsewhere.
     */
    public double[] distribution(float[] logits) {
      Integer[] order = new Integer[logits.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      // Stable sort: equal logits keep id order, so the kept set is well defined.
      Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
      int keep = topK == 0 ? logits.length : Math.min(topK, logits.length);
      double max = logits[order[0]] / temperature;
      double[] p = new double[logits.length];
      double sum = 0;
      for (int r = 0; r < keep; r++) {
        int i = order[r];
        p[i] = Math.exp(logits[i] / temperature - max);
        sum += p[i];
      }
      double cumulative = 0;
      int nucleus = 0;
      while (nucleus < keep) {
        cumulative += p[order[nucleus]] / sum;
        nucleus++;
        if (cumulative >= topP) {
          break;
        }
      }
      double kept = 0;
      for (int r = 0; r < keep; r++) {
        if (r >= nucleus) {
          p[order[r]] = 0;
        }
        kept += p[order[r]];
      }
      for (int i = 0; i < p.length; i++) {
        p[i] /= kept;
      }
      return p;
    }

    @Override
    public int pick(float[] logits, java.util.Random random) {
      double[] p = distribution(logits);
      double u = random.nextDouble();
      int last = 0;
      for (int i = 0; i < p.length; i++) {
        if (p[i] > 0) {
          last = i;
          u -= p[i];
          if (u < 0) {
            return i;
          }
        }
      }
      return last; // rounding left u a hair above 0: the last kept token
    }
  }
}
