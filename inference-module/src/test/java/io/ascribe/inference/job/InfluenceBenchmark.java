package io.ascribe.inference.job;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.TinyModel;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * How well the job runner's influence scores agree with leave-one-out retraining (issue 8's goal:
 * Pearson r ≥ 0.8). A small task on the tiny model: four capital → country facts to evaluate on; to
 * train on, the same four facts, four paraphrases of them ("the country of Paris is france"), and
 * {@code NOISE} documents of random letters. It trains the job once (full batch, so leaving a
 * document out changes nothing but the batch's contents), scores every document with {@link
 * Influence} (one checkpoint, the final adapter: the definition verifiers recompute) and, for
 * comparison, with TracIn summed over {@code CHECKPOINTS} evenly spaced steps; then retrains N
 * times leaving one document out and prints Pearson r (and Spearman ρ) between each score and (eval
 * loss without the document − eval loss with it), for the first seed and for scores and deltas
 * averaged over {@code SEEDS} seeds (the seed draws LoRA's A, so averaging takes out the part of a
 * leave-one-out delta that depends on one initialisation, which no first-order score predicts). Run
 * with {@code scripts/bench-influence.sh}.
 */
public final class InfluenceBenchmark {
  private static final int NOISE = Integer.getInteger("noise", 8);
  private static final int EPOCHS = Integer.getInteger("epochs", 60);
  private static final int CHECKPOINTS = 5;
  private static final int SEEDS = Integer.getInteger("seeds", 3);
  private static final double LR = Double.parseDouble(System.getProperty("lr", "1e-2"));

  private InfluenceBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("influence-bench");
    Path base = TinyModel.write(dir.resolve("base"), 7);
    List<JobDocument> train = new ArrayList<>();
    List<JobDocument> eval = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      eval.add(Jobs.capital("eval" + i, i));
      train.add(Jobs.capital("copy" + i, i));
      train.add(
          new JobDocument(
              "para" + i,
              new Example(
                  "the country of " + Jobs.CAPITALS[i][0] + " is", " " + Jobs.CAPITALS[i][1])));
    }
    Random random = new Random(5);
    for (int i = 0; i < NOISE; i++) {
      train.add(
          new JobDocument("noise" + i, new Example(letters(random, 12), " " + letters(random, 8))));
    }
    int n = train.size();
    long began = System.nanoTime();
    double[][] sums = new double[3][n];
    double evalLoss = 0;
    int steps = 0;
    for (int seed = 1; seed <= SEEDS; seed++) {
      Trial t = trial(base, train, eval, seed);
      for (int i = 0; i < n; i++) {
        sums[0][i] += t.influence[i] / SEEDS;
        sums[1][i] += t.tracIn[i] / SEEDS;
        sums[2][i] += t.loo[i] / SEEDS;
      }
      evalLoss += t.evalLoss / SEEDS;
      steps = t.steps;
      if (seed == 1) {
        report("seed 1", t.influence, t.tracIn, t.loo);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%-8s %14s %14s %14s%n",
        "doc",
        "influence",
        "tracin-" + CHECKPOINTS,
        "loo delta");
    for (int i = 0; i < n; i++) {
      System.out.printf(
          Locale.ROOT,
          "%-8s %14.6e %14.6e %14.6e%n",
          train.get(i).id(),
          sums[0][i],
          sums[1][i],
          sums[2][i]);
    }
    System.out.printf(
        Locale.ROOT,
        "N=%d docs, %d steps, %d seeds, mean eval loss %.4f, %.1f s%n",
        n,
        steps,
        SEEDS,
        evalLoss,
        (System.nanoTime() - began) / 1e9);
    if (SEEDS > 1) {
      report("mean over " + SEEDS + " seeds", sums[0], sums[1], sums[2]);
    }
  }

  private record Trial(
      double[] influence, double[] tracIn, double[] loo, double evalLoss, int steps) {}

  /** One job with {@code seed}: its scores and the leave-one-out deltas. */
  private static Trial trial(Path base, List<JobDocument> train, List<JobDocument> eval, long seed)
      throws IOException {
    int n = train.size();
    TuningJobSpec spec =
        new TuningJobSpec(base, TuningJobSpec.Method.LORA, 8, 16, LR, EPOCHS, n, seed, train, eval);
    Map<String, Double> tracIn = new LinkedHashMap<>();
    Map<String, Double> influence;
    double withAll;
    try (NDManager m = Torch.engine().newBaseManager();
        LlamaModel model = LlamaModel.load(base, m)) {
      Trainer trainer = new Trainer(model, new ByteTokenizer());
      try (Trainable t = spec.tuningMethod().applyTo(model)) {
        int every = Math.max(1, spec.totalSteps() / CHECKPOINTS);
        trainer.train(
            t,
            spec.trainExamples(),
            spec.trainConfig(),
            m,
            p -> {
              if (p.step() % every == 0) {
                Influence.scores(trainer, t, spec, train, m)
                    .forEach((k, v) -> tracIn.merge(k, v, Double::sum));
              }
            },
            null);
        influence = Influence.scores(trainer, t, spec, train, m);
        withAll = trainer.evaluate(spec.evalExamples(), n, m);
      }
    }
    double[] loo = new double[n];
    for (int i = 0; i < n; i++) {
      List<JobDocument> without = new ArrayList<>(train);
      without.remove(i);
      TuningJobSpec s =
          new TuningJobSpec(base, spec.method(), 8, 16, LR, EPOCHS, n, seed, without, eval);
      try (NDManager m = Torch.engine().newBaseManager();
          LlamaModel model = LlamaModel.load(base, m)) {
        Trainer trainer = new Trainer(model, new ByteTokenizer());
        try (Trainable t = s.tuningMethod().applyTo(model)) {
          trainer.train(t, s.trainExamples(), s.trainConfig(), m, null, null);
          loo[i] = trainer.evaluate(s.evalExamples(), n, m) - withAll;
        }
      }
    }
    double[] fin = new double[n];
    double[] multi = new double[n];
    for (int i = 0; i < n; i++) {
      fin[i] = influence.get(train.get(i).id());
      multi[i] = tracIn.get(train.get(i).id());
    }
    return new Trial(fin, multi, loo, withAll, spec.totalSteps());
  }

  private static void report(String what, double[] fin, double[] multi, double[] loo) {
    System.out.printf(
        Locale.ROOT,
        "%s: final-adapter influence (on-chain) vs LOO: Pearson r = %.3f, Spearman rho = %.3f%n",
        what,
        pearson(fin, loo),
        pearson(ranks(fin), ranks(loo)));
    System.out.printf(
        Locale.ROOT,
        "%s: TracIn over %d checkpoints vs LOO:       Pearson r = %.3f, Spearman rho = %.3f%n",
        what,
        CHECKPOINTS,
        pearson(multi, loo),
        pearson(ranks(multi), ranks(loo)));
  }

  private static String letters(Random random, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append((char) ('a' + random.nextInt(26)));
    }
    return s.toString();
  }

  static double pearson(double[] a, double[] b) {
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < a.length; i++) {
      ma += a[i] / a.length;
      mb += b[i] / b.length;
    }
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }

  static double[] ranks(double[] x) {
    Integer[] idx = new Integer[x.length];
    for (int i = 0; i < x.length; i++) {
      idx[i] = i;
    }
    java.util.Arrays.sort(idx, (p, q) -> Double.compare(x[p], x[q]));
    double[] r = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      r[idx[i]] = i;
    }
    return r;
  }
}
