package io.ascribe.inference.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ROUGE-1, ROUGE-2 and ROUGE-L as Google's {@code rouge-score} package computes them without
 * stemming: text is lowercased, every run of characters outside {@code [a-z0-9]} becomes a space
 * (so accented letters and punctuation split or vanish), and tokens are split on whitespace.
 * ROUGE-N counts clipped n-gram overlaps; ROUGE-L uses the longest common subsequence; each gives
 * precision against the prediction, recall against the target and their harmonic mean.
 */
public final class Rouge {
  private Rouge() {}

  /** Precision, recall and F-measure of one comparison. */
  public record Score(double precision, double recall, double fmeasure) {
    static Score of(double precision, double recall) {
      double f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
      return new Score(precision, recall, f);
    }
  }

  /** The three scores for one target/prediction pair. */
  public record Scores(Score rouge1, Score rouge2, Score rougeL) {}

  public static Scores score(String target, String prediction) {
    List<String> t = tokenize(target);
    List<String> p = tokenize(prediction);
    return new Scores(rougeN(t, p, 1), rougeN(t, p, 2), rougeL(t, p));
  }

  /** rouge-score's default tokeniser (no stemming). */
  public static List<String> tokenize(String text) {
    String cleaned = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ");
    List<String> out = new ArrayList<>();
    for (String tok : cleaned.split("\\s+")) {
      if (!tok.isEmpty()) {
        out.add(tok);
      }
    }
    return out;
  }

  public static Score rougeN(List<String> target, List<String> prediction, int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("n must be positive");
    }
    Map<List<String>, Integer> t = ngrams(target, n);
    Map<List<String>, Integer> p = ngrams(prediction, n);
    int overlap = 0;
    for (Map.Entry<List<String>, Integer> e : t.entrySet()) {
      overlap += Math.min(e.getValue(), p.getOrDefault(e.getKey(), 0));
    }
    int tc = t.values().stream().mapToInt(Integer::intValue).sum();
    int pc = p.values().stream().mapToInt(Integer::intValue).sum();
    // max(count, 1) as rouge-score does, so an empty side scores 0 instead of dividing by zero.
    return Score.of((double) overlap / Math.max(pc, 1), (double) overlap / Math.max(tc, 1));
  }

  public static Score rougeL(List<String> target, List<String> prediction) {
    if (target.isEmpty() || prediction.isEmpty()) {
      return new Score(0, 0, 0);
    }
    int lcs = lcs(target, prediction);
    return Score.of((double) lcs / prediction.size(), (double) lcs / target.size());
  }

  private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
    Map<List<String>, Integer> counts = new HashMap<>();
    for (int i = 0; i + n <= tokens.size(); i++) {
      counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
    }
    return counts;
  }

  private static int lcs(List<String> a, List<String> b) {
    int[] prev = new int[b.size() + 1];
    int[] cur = new int[b.size() + 1];
    for (int i = 1; i <= a.size(); i++) {
      for (int j = 1; j <= b.size(); j++) {
        cur[j] =
            a.get(i - 1).equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
      }
      int[] swap = prev;
      prev = cur;
      cur = swap;
    }
    return prev[b.size()];
  }
}
