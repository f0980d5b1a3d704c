package io.ascribe.inference.rag;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Attribution of a generated answer to the retrieved documents by context ablation, after
 * ContextCite (Cohen-Wang et al., 2024): {@code n} random masks each keep every document with
 * probability ½ (drawn from a seeded {@link Random}); for each mask the answer's tokens are scored
 * teacher-forced under the prompt built from the kept documents ({@link RagPrompt}), many masks in
 * one batched forward pass (right-padded: the causal mask keeps padding from the real tokens, so
 * each row's log-probability is that of its own sequence; a mask drawn twice is scored once); a
 * linear surrogate {@code logp ≈ b + Σ w_j · kept_j} is fitted by least squares, and the weights
 * are the scores. The same model, prompt, documents, answer and seed give the same scores on CPU.
 */
public final class ContextCite {
  /**
   * How to attribute: {@code masks} ablations drawn from {@code seed}, scored {@code batchSize} at
   * a time, fitted with ridge penalty {@code ridge} on the weights (not the intercept).
   */
  public record Options(int masks, long seed, int batchSize, double ridge) {
    public Options {
      if (masks <= 0 || batchSize <= 0 || !(ridge >= 0)) {
        throw new IllegalArgumentException(
            "need masks > 0, batch > 0 and ridge ≥ 0; got masks "
                + masks
                + ", batch "
                + batchSize
                + ", ridge "
                + ridge);
      }
    }

    /**
     * 32 masks, enough to pin down up to 32 documents, all in one forward pass, ridge 0.01: the
     * shape for a GPU, where a pass over 32 rows costs little more than one.
     */
    public static Options defaults(long seed) {
      return new Options(32, seed, 32, 0.01);
    }

    /**
     * {@link #defaults} batched for {@code device}: every mask in one pass on a GPU, one mask per
     * pass on CPU, where larger batches only add padding and memory traffic (scripts/bench-rag.sh:
     * one at a time beats 8 at a time, and all 32 at once is several times slower).
     */
    public static Options forDevice(Device device, long seed) {
      Options d = defaults(seed);
      return device.isGpu() ? d : d.withBatchSize(1);
    }

    public Options withMasks(int n) {
      return new Options(n, seed, batchSize, ridge);
    }

    public Options withBatchSize(int b) {
      return new Options(masks, seed, b, ridge);
    }
  }

  /**
   * A finished attribution: a citation per document (in their order), the log-probability of the
   * answer under every mask, and the time spent in forward passes and in the fit.
   */
  public record Result(
      List<Citation> citations,
      boolean[][] masks,
      double[] logProbs,
      long ablationNanos,
      long fitNanos) {}

  private final LlamaModel model;
  private final Tokenizer tokenizer;
  private final NDManager manager;

  public ContextCite(LlamaModel model, Tokenizer tokenizer, NDManager manager) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.manager = manager;
  }

  /** Scores each of {@code docs} for {@code answer} (the tokens generated after the prompt). */
  public Result attribute(
      String question, List<RetrievalIndex.Doc> docs, int[] answer, Options options) {
    boolean[][] masks = masks(docs.size(), options.masks(), options.seed());
    long t0 = System.nanoTime();
    double[] y = logProbs(question, docs, answer, masks, options.batchSize());
    long t1 = System.nanoTime();
    double[] w = fit(masks, y, options.ridge());
    long t2 = System.nanoTime();
    List<Citation> citations = new ArrayList<>();
    for (int j = 0; j < docs.size(); j++) {
      citations.add(new Citation(docs.get(j).id(), w[j]));
    }
    return new Result(citations, masks, y, t1 - t0, t2 - t1);
  }

  /** {@code n} masks over {@code k} documents, each document kept with probability ½. */
  public static boolean[][] masks(int k, int n, long seed) {
    Random random = new Random(seed);
    boolean[][] out = new boolean[n][k];
    for (boolean[] m : out) {
      for (int j = 0; j < k; j++) {
        m[j] = random.nextBoolean();
      }
    }
    return out;
  }

  /**
   * The log-probability (natural log, summed over its tokens) of {@code answer} after the prompt
   * built from the documents each mask keeps, {@code batchSize} distinct masks per forward pass.
   */
  public double[] logProbs(
      String question,
      List<RetrievalIndex.Doc> docs,
      int[] answer,
      boolean[][] masks,
      int batchSize) {
    double[] out = new double[masks.length];
    if (answer.length == 0) {
      return out; // the empty answer is certain under any context
    }
    // A mask drawn twice is scored once: its log-probability is a function of the mask (with few
    // documents, 32 masks over 4 have at most 16 distinct). `first` maps each mask to the index
    // of its first occurrence.
    Map<String, Integer> seen = new LinkedHashMap<>();
    int[] first = new int[masks.length];
    List<Integer> distinct = new ArrayList<>();
    for (int i = 0; i < masks.length; i++) {
      int at = seen.computeIfAbsent(Arrays.toString(masks[i]), x -> distinct.size());
      if (at == distinct.size()) {
        distinct.add(i);
      }
      first[i] = distinct.get(at);
    }
    // Only the distinct masks' prompts are ever read, so only they are tokenized.
    Map<Integer, int[]> prompts = new java.util.HashMap<>();
    for (int i : distinct) {
      prompts.put(i, RagPrompt.tokens(tokenizer, question, docs, masks[i]));
    }
    // Batches take the prompts shortest first (ties in mask order), so each is padded only to
    // the longest of similar lengths; results go back to their masks' places.
    Integer[] order = distinct.toArray(new Integer[0]);
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> prompts.get(i).length));
    for (int start = 0; start < order.length; start += batchSize) {
      int end = Math.min(order.length, start + batchSize);
      List<int[]> batch = new ArrayList<>();
      for (int i = start; i < end; i++) {
        batch.add(prompts.get(order[i]));
      }
      double[] part = batch(batch, answer);
      for (int i = start; i < end; i++) {
        out[order[i]] = part[i - start];
      }
    }
    for (int i = 0; i < masks.length; i++) {
      out[i] = out[first[i]];
    }
    return out;
  }

  // One forward pass over prompt_i + answer for every i, right-padded to the longest; each row's
  // answer positions are sliced out of the hidden states before the LM head, so only b × |answer|
  // positions are projected onto the vocabulary.
  private double[] batch(List<int[]> prompts, int[] answer) {
    int b = prompts.size();
    int a = answer.length;
    int len = 0;
    for (int[] p : prompts) {
      len = Math.max(len, p.length + a - 1);
    }
    long[] ids = new long[b * len];
    Arrays.fill(ids, tokenizer.eos());
    for (int i = 0; i < b; i++) {
      int[] p = prompts.get(i);
      for (int j = 0; j < p.length; j++) {
        ids[i * len + j] = p[j];
      }
      for (int j = 0; j < a - 1; j++) {
        ids[i * len + p.length + j] = answer[j];
      }
    }
    long[] targets = new long[b * a];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < a; j++) {
        targets[i * a + j] = answer[j];
      }
    }
    try (NDManager m = manager.newSubManager()) {
      NDArray input = m.create(ids, new Shape(b, len)).toType(DataType.INT64, false);
      NDArray hidden = model.hidden(input, null, false);
      NDList rows = new NDList(b);
      for (int i = 0; i < b; i++) {
        // Position p predicts token p + 1: the answer's tokens are predicted from the prompt's
        // last position on.
        int from = prompts.get(i).length - 1;
        rows.add(hidden.get(new NDIndex("{}, {}:{}", i, from, from + a)));
      }
      NDArray logp = model.logits(NDArrays.stack(rows)).logSoftmax(-1);
      NDArray t = m.create(targets, new Shape(b, a, 1)).toType(DataType.INT64, false);
      float[] picked = logp.gather(t, -1).toFloatArray();
      double[] out = new double[b];
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < a; j++) {
          out[i] += picked[i * a + j];
        }
      }
      return out;
    }
  }

  /**
   * Fits {@code y ≈ b + Σ_j w_j · mask_j} by ridge-regularised least squares and returns the
   * weights {@code w}. Written out rather than a Lasso from a library: the system has at most 33
   * unknowns, so the normal equations {@code (XᵀX + λ·I') β = Xᵀy} (I' leaving the intercept
   * unpenalised) are solved directly by Gaussian elimination with partial pivoting, in double. The
   * small ridge keeps the system solvable when masks are fewer than documents or a document is kept
   * by every mask.
   */
  static double[] fit(boolean[][] masks, double[] y, double ridge) {
    int n = masks.length;
    int k = n == 0 ? 0 : masks[0].length;
    int p = k + 1; // column 0 is the intercept
    double[][] a = new double[p][p + 1];
    for (int r = 0; r < n; r++) {
      double[] x = new double[p];
      x[0] = 1;
      for (int j = 0; j < k; j++) {
        x[j + 1] = masks[r][j] ? 1 : 0;
      }
      for (int i = 0; i < p; i++) {
        for (int j = 0; j < p; j++) {
          a[i][j] += x[i] * x[j];
        }
        a[i][p] += x[i] * y[r];
      }
    }
    for (int i = 1; i < p; i++) {
      a[i][i] += ridge;
    }
    double[] beta = solve(a);
    return Arrays.copyOfRange(beta, 1, p);
  }

  // Gaussian elimination with partial pivoting on the augmented matrix [A | b]; a column with no
  // usable pivot (a document no mask varies, with no ridge) gets weight 0.
  private static double[] solve(double[][] a) {
    int p = a.length;
    for (int c = 0; c < p; c++) {
      int pivot = c;
      for (int r = c + 1; r < p; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
          pivot = r;
        }
      }
      double[] tmp = a[c];
      a[c] = a[pivot];
      a[pivot] = tmp;
      if (Math.abs(a[c][c]) < 1e-12) {
        continue;
      }
      for (int r = 0; r < p; r++) {
        if (r != c) {
          double f = a[r][c] / a[c][c];
          for (int j = c; j <= p; j++) {
            a[r][j] -= f * a[c][j];
          }
        }
      }
    }
    double[] x = new double[p];
    for (int i = 0; i < p; i++) {
      x[i] = Math.abs(a[i][i]) < 1e-12 ? 0 : a[i][p] / a[i][i];
    }
    return x;
  }

  /** A share of the answer is a millionth: what the chain's receipts record. */
  public static final long ONE_PPM = 1_000_000;

  /**
   * The signed parts-per-million scores a receipt records, by id in citation order. The chain
   * accepts scores within ±1,000,000 whose positive ones sum to 1,000,000 within its tolerance
   * ({@code ai.inference.scoreSumToleranceBps}; ADR 005), and pays contributors pro rata to the
   * positive ones. The rule: with {@code P} the sum of the positive scores, each score becomes
   * {@code score / P × 1,000,000}; positive shares are floored and the remainder goes one ppm each
   * to the largest fractional parts (ties to the earlier citation), so they sum to exactly
   * 1,000,000; negative shares are rounded toward zero and clamped at −1,000,000 (recorded, earning
   * nothing); zero stays 0. When no score is positive nothing identifiable raised the answer, and
   * every citation gets an equal share (same remainder rule), so the contributors' part is paid
   * rather than burned.
   *
   * @throws IllegalArgumentException when an id is cited twice or a score is not finite
   */
  public static Map<String, Long> toPpm(List<Citation> citations) {
    int n = citations.size();
    double positive = 0;
    for (Citation c : citations) {
      if (!Double.isFinite(c.score())) {
        throw new IllegalArgumentException("citation " + c.id() + " has score " + c.score());
      }
      if (c.score() > 0) {
        positive += c.score();
      }
    }
    double[] share = new double[n];
    for (int i = 0; i < n; i++) {
      double s = citations.get(i).score();
      share[i] = positive > 0 ? s / positive * ONE_PPM : (double) ONE_PPM / n;
    }
    long[] ppm = new long[n];
    long sum = 0;
    for (int i = 0; i < n; i++) {
      if (share[i] > 0) {
        ppm[i] = (long) Math.floor(share[i]);
        sum += ppm[i];
      } else {
        ppm[i] = Math.max(-ONE_PPM, (long) share[i]);
      }
    }
    if (n > 0) {
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(
          order,
          (x, z) -> {
            int c =
                Double.compare(share[z] - Math.floor(share[z]), share[x] - Math.floor(share[x]));
            return c != 0 ? c : Integer.compare(x, z);
          });
      for (int r = 0; sum < ONE_PPM; r = (r + 1) % n) {
        if (share[order[r]] > 0) {
          ppm[order[r]]++;
          sum++;
        }
      }
    }
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      if (out.put(citations.get(i).id(), ppm[i]) != null) {
        throw new IllegalArgumentException("document " + citations.get(i).id() + " is cited twice");
      }
    }
    return out;
  }
}
