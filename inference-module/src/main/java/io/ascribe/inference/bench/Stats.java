package io.ascribe.inference.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The few statistics the benchmark table reports: the median (of step times, robust to the odd slow
 * step on a shared machine), the mean and its standard error (sample standard deviation over the
 * square root of n, for scores over test prompts).
 */
public final class Stats {
  private Stats() {}

  /** The middle value, or the mean of the two middle values; NaN when there are none. */
  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** The arithmetic mean; NaN when there are no values. */
  public static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  /** The standard error of the mean (n − 1 in the variance); NaN for fewer than two values. */
  public static double standardError(List<Double> values) {
    int n = values.size();
    if (n < 2) {
      return Double.NaN;
    }
    double m = mean(values);
    double ss = 0;
    for (double x : values) {
      ss += (x - m) * (x - m);
    }
    return Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
  }
}
