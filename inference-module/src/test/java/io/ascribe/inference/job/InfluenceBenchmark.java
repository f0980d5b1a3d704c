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
 * Pearson r ≥ 0.8). A small task on the tiny model, first pretrained ({@code PRETRAIN} full
 * fine-tuning steps on other capitals and random letters, so that a LoRA job over it learns, as one
 * over a real base does): {@code FACTS} capital → country facts to evaluate on; to train on, the
 * same facts, a paraphrase of each ("the country of Paris is france"), and {@code NOISE} documents
 * of random letters. It trains the job once (full batch, so leaving a document out changes nothing
 * but the batch's contents), scores every document with {@link Influence} (the job's score, {@code
 * job}: DataInf summed over six points on the line from the seeded initial adapter to the final
 * one, which verifiers recompute), with DataInf at the final adapter alone ({@code datainf}, timed)
 * and, in the same run, with TracIn at the final adapter (η·⟨∇L(d), ∇L_eval⟩, timed), with
 * DataInf's variants at the final adapter (one block per array, one block for all, other dampings,
 * each document weighted by its response tokens as the training loss weighs it), with TracIn and
 * DataInf summed over {@code CHECKPOINTS} evenly spaced steps (which verifiers could not recompute)
 * and with DataInf summed over other choices of points on the line (which they could, at that many
 * times the cost); then retrains N times leaving one document out and prints Pearson r (and
 * Spearman ρ) between each score and (eval loss without the document − eval loss with it): for the
 * first seed, for scores and deltas averaged over {@code SEEDS} seeds, and for each seed with the
 * seeds' mean. The last line, {@code loo-others}, is how well the other seeds' mean deltas predict
 * one seed's: the share of a delta that depends on the initialisation (the seed draws LoRA's A),
 * which no score computed from the other seeds could predict. Also the cost of DataInf and of
 * TracIn at one point, in ms per document (the job's six points cost six times DataInf's). Run with
 * {@code scripts/bench-influence.sh}.
 */
public final class InfluenceBenchmark {
  private static final int FACTS = Integer.getInteger("facts", 4);
  private static final int NOISE = Integer.getInteger("noise", 2 * FACTS);
  private static final int EPOCHS = Integer.getInteger("epochs", 60);
  private static final int CHECKPOINTS = 5;
  private static final int SEEDS = Integer.getInteger("seeds", 3);
  private static final int PRETRAIN = Integer.getInteger("pretrain", 100);
  private static final double LR = Double.parseDouble(System.getProperty("lr", "1e-2"));

  private InfluenceBenchmark() {}

  /** The methods compared, in the order their columns are printed. */
  private static final List<String> METHODS =
      List.of(
          "datainf",
          "tracin",
          "tracin-" + CHECKPOINTS,
          "datainf-array",
          "datainf-whole",
          "datainf-0.01",
          "datainf-10",
          "datainf-1e3",
          "datainf-tok",
          "datainf-" + CHECKPOINTS,
          "datainf-line2",
          "datainf-line" + CHECKPOINTS,
          "datainf-late5",
          "datainf-init3",
          "job",
          "job+final",
          "datainf-init10");

  public static void main(String[] args) throws IOException {
    if (FACTS < 1 || FACTS > Jobs.CAPITALS.length) {
      throw new IllegalArgumentException(
          "-Dfacts must be 1 to "
              + Jobs.CAPITALS.length
              + " (the capitals there are), got "
              + FACTS);
    }
    Path dir = Files.createTempDirectory("influence-bench");
    Path base = TinyModel.write(dir.resolve("base"), 7);
    if (PRETRAIN > 0) {
      base = pretrain(base, dir.resolve("pretrained"));
    }
    List<JobDocument> train = new ArrayList<>();
    List<JobDocument> eval = new ArrayList<>();
    for (int i = 0; i < FACTS; i++) {
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
    Map<String, double[]> means = new LinkedHashMap<>();
    METHODS.forEach(k -> means.put(k, new double[n]));
    double[] looMean = new double[n];
    double evalLoss = 0;
    long dataInfNanos = 0;
    long tracInNanos = 0;
    int steps = 0;
    List<Trial> trials = new ArrayList<>();
    for (int seed = 1; seed <= SEEDS; seed++) {
      Trial t = trial(base, train, eval, seed);
      trials.add(t);
      for (String k : METHODS) {
        double[] sum = means.get(k);
        for (int i = 0; i < n; i++) {
          sum[i] += t.scores.get(k)[i] / SEEDS;
        }
      }
      for (int i = 0; i < n; i++) {
        looMean[i] += t.loo[i] / SEEDS;
      }
      evalLoss += t.evalLoss / SEEDS;
      dataInfNanos += t.dataInfNanos;
      tracInNanos += t.tracInNanos;
      steps = t.steps;
      if (seed == 1) {
        report("seed 1", t.scores, t.loo);
      }
    }
    System.out.printf(Locale.ROOT, "%-8s", "doc");
    for (String k : METHODS) {
      System.out.printf(Locale.ROOT, " %13s", k);
    }
    System.out.printf(Locale.ROOT, " %13s%n", "loo delta");
    for (int i = 0; i < n; i++) {
      System.out.printf(Locale.ROOT, "%-8s", train.get(i).id());
      for (String k : METHODS) {
        System.out.printf(Locale.ROOT, " %13.5e", means.get(k)[i]);
      }
      System.out.printf(Locale.ROOT, " %13.5e%n", looMean[i]);
    }
    System.out.printf(
        Locale.ROOT,
        "N=%d docs, %d steps, %d seeds, mean eval loss %.4f, %.1f s%n",
        n,
        steps,
        SEEDS,
        evalLoss,
        (System.nanoTime() - began) / 1e9);
    System.out.printf(
        Locale.ROOT,
        "cost at the final adapter, over %d scorings of %d docs: DataInf %.2f ms/doc, TracIn %.2f"
            + " ms/doc (each: its own backward passes, then its arithmetic)%n",
        SEEDS,
        n,
        dataInfNanos / 1e6 / (SEEDS * n),
        tracInNanos / 1e6 / (SEEDS * n));
    if (SEEDS > 1) {
      report("mean over " + SEEDS + " seeds", means, looMean);
      perSeed(trials, looMean);
    }
  }

  /**
   * Each seed's Pearson r per method and their mean, and how well the other seeds' mean
   * leave-one-out deltas predict this seed's: the share of a delta that no seed-independent score
   * can predict.
   */
  private static void perSeed(List<Trial> trials, double[] looMean) {
    int seeds = trials.size();
    for (String k : METHODS) {
      StringBuilder line = new StringBuilder();
      double sum = 0;
      for (Trial t : trials) {
        double r = pearson(t.scores.get(k), t.loo);
        sum += r;
        line.append(String.format(Locale.ROOT, " %6.3f", r));
      }
      System.out.printf(Locale.ROOT, "per seed r: %-13s%s  mean %.3f%n", k, line, sum / seeds);
    }
    StringBuilder line = new StringBuilder();
    double sum = 0;
    for (int s = 0; s < seeds; s++) {
      double[] others = new double[looMean.length];
      for (int i = 0; i < others.length; i++) {
        others[i] = (looMean[i] * seeds - trials.get(s).loo[i]) / (seeds - 1);
      }
      double r = pearson(others, trials.get(s).loo);
      sum += r;
      line.append(String.format(Locale.ROOT, " %6.3f", r));
    }
    System.out.printf(
        Locale.ROOT, "per seed r: %-13s%s  mean %.3f%n", "loo-others", line, sum / seeds);
  }

  /** Capitals the base is pretrained on, none of them in the task. */
  private static final String[][] PRETRAIN_CAPITALS = {
    {"Madrid", "spain"}, {"Berlin", "germany"}, {"Athens", "greece"}, {"Dublin", "ireland"}
  };

  /**
   * A base that knows the task's format: the random tiny model fully fine-tuned for {@code
   * PRETRAIN} steps on capitals outside the task (in both phrasings) and random letters, written to
   * {@code dir}. On the random model itself a LoRA job hardly learns (60 steps take the eval loss
   * from 5.56 to 4.81, 300 steps to 4.38), so leaving a document out only nudges a trajectory that
   * fits nothing, and its delta is mostly the seed's (the other seeds' deltas predict it at r
   * 0.78); over this base the job learns the facts (eval loss 0.60 after it) and the deltas agree
   * across seeds at r 0.96, as they should when they measure what a document teaches.
   */
  private static Path pretrain(Path randomBase, Path dir) throws IOException {
    List<JobDocument> corpus = new ArrayList<>();
    List<String[]> capitals = new ArrayList<>(List.of(PRETRAIN_CAPITALS));
    for (int i = FACTS; i < Jobs.CAPITALS.length; i++) {
      capitals.add(Jobs.CAPITALS[i]);
    }
    for (int i = 0; i < capitals.size(); i++) {
      String[] c = capitals.get(i);
      corpus.add(
          new JobDocument("pc" + i, new Example("city: " + c[0] + "\ncountry:", " " + c[1])));
      corpus.add(
          new JobDocument("pp" + i, new Example("the country of " + c[0] + " is", " " + c[1])));
    }
    Random random = new Random(11);
    for (int i = 0; i < 8; i++) {
      corpus.add(
          new JobDocument("pn" + i, new Example(letters(random, 12), " " + letters(random, 8))));
    }
    TuningJobSpec spec =
        new TuningJobSpec(
            randomBase,
            TuningJobSpec.Method.FULL,
            8,
            16,
            1e-3,
            PRETRAIN,
            corpus.size(),
            1,
            corpus,
            corpus);
    try (NDManager m = Torch.engine().newBaseManager();
        LlamaModel model = LlamaModel.load(randomBase, m)) {
      Trainer trainer = new Trainer(model, new ByteTokenizer());
      try (Trainable t = spec.tuningMethod().applyTo(model)) {
        trainer.train(t, spec.trainExamples(), spec.trainConfig(), m, null, null);
      }
      model.save(dir);
    }
    return dir;
  }

  /**
   * One job with {@code seed}: each method's scores by name, the leave-one-out deltas, and the time
   * the job's two candidate methods took at the final adapter.
   */
  private record Trial(
      Map<String, double[]> scores,
      double[] loo,
      double evalLoss,
      int steps,
      long dataInfNanos,
      long tracInNanos) {}

  /** One job with {@code seed}: its scores and the leave-one-out deltas. */
  private static Trial trial(Path base, List<JobDocument> train, List<JobDocument> eval, long seed)
      throws IOException {
    int n = train.size();
    TuningJobSpec spec =
        new TuningJobSpec(base, TuningJobSpec.Method.LORA, 8, 16, LR, EPOCHS, n, seed, train, eval);
    Map<String, double[]> scores = new LinkedHashMap<>();
    double[] multi = new double[n];
    double[] multiDataInf = new double[n];
    double withAll;
    long dataInfNanos;
    long tracInNanos;
    try (NDManager m = Torch.engine().newBaseManager();
        LlamaModel model = LlamaModel.load(base, m)) {
      Trainer trainer = new Trainer(model, new ByteTokenizer());
      try (Trainable t = spec.tuningMethod().applyTo(model)) {
        Map<String, float[]> initial = Influence.values(t);
        int every = Math.max(1, spec.totalSteps() / CHECKPOINTS);
        trainer.train(
            t,
            spec.trainExamples(),
            spec.trainConfig(),
            m,
            p -> {
              if (p.step() % every == 0) {
                double[] s = tracIn(trainer, t, spec, m, null);
                double[] di = atPoint(trainer, t, spec, m);
                for (int i = 0; i < n; i++) {
                  multi[i] += s[i];
                  multiDataInf[i] += di[i];
                }
              }
            },
            null);
        // Alternate which runs first, so neither always pays for a cold start.
        float[][][] grads = new float[n][][];
        long t0 = System.nanoTime();
        double[] fin = seed % 2 == 0 ? tracIn(trainer, t, spec, m, grads) : null;
        long t1 = System.nanoTime();
        double[] d = atPoint(trainer, t, spec, m);
        long t2 = System.nanoTime();
        if (fin == null) {
          fin = tracIn(trainer, t, spec, m, grads);
        }
        long t3 = System.nanoTime();
        dataInfNanos = t2 - t1;
        tracInNanos = (t1 - t0) + (t3 - t2);
        scores.put("datainf", d);
        scores.put("tracin", fin);
        scores.put("tracin-" + CHECKPOINTS, multi);
        // The other blocks and dampings, from the same gradients (per array, as TracIn took them).
        Influence.Layout arrays = Influence.Layout.byArray(t);
        float[][] evalGrad =
            Influence.gradient(trainer, arrays, spec.evalExamples(), spec.batchSize(), m);
        int[] module = Influence.Layout.byModule(t).blockOf();
        int[] whole = new int[module.length];
        float[][][] byModule = regroup(grads, module);
        float[][] evalByModule = regroup(evalGrad, module);
        double[] check = DataInf.scores(byModule, evalByModule, DataInf.DEFAULT_DAMPING);
        if (!java.util.Arrays.equals(check, d)) {
          System.out.println("warning: regrouped gradients do not reproduce the job's scores");
        }
        scores.put("datainf-array", DataInf.scores(grads, evalGrad, DataInf.DEFAULT_DAMPING));
        scores.put(
            "datainf-whole",
            DataInf.scores(
                regroup(grads, whole), regroup(evalGrad, whole), DataInf.DEFAULT_DAMPING));
        scores.put("datainf-0.01", DataInf.scores(byModule, evalByModule, 0.01));
        scores.put("datainf-10", DataInf.scores(byModule, evalByModule, 10));
        scores.put("datainf-1e3", DataInf.scores(byModule, evalByModule, 1e3));
        // The training loss weighs a document by its response tokens (the batch's mean is over
        // tokens), so leaving one out removes that many tokens' worth of gradient.
        double[] tokens = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
          tokens[i] = new ByteTokenizer().encode(train.get(i).example().response()).length + 1;
          total += tokens[i];
        }
        float[][][] weighted = new float[n][][];
        for (int i = 0; i < n; i++) {
          float w = (float) (n * tokens[i] / total);
          weighted[i] = new float[byModule[i].length][];
          for (int l = 0; l < byModule[i].length; l++) {
            weighted[i][l] = byModule[i][l].clone();
            for (int j = 0; j < weighted[i][l].length; j++) {
              weighted[i][l][j] *= w;
            }
          }
        }
        scores.put("datainf-tok", DataInf.scores(weighted, evalByModule, DataInf.DEFAULT_DAMPING));
        scores.put("datainf-" + CHECKPOINTS, multiDataInf);
        scores.put("datainf-line2", line(trainer, t, spec, initial, even(2), m));
        double[] line5 = line(trainer, t, spec, initial, even(CHECKPOINTS), m);
        scores.put("datainf-line" + CHECKPOINTS, line5);
        // Points bunched toward the final adapter, where the line is nearer the trajectory's
        // end: 5 at (k/5)^½; then the initial adapter included, at ((k/(P−1))^p for k = 0..P−1.
        scores.put("datainf-late5", line(trainer, t, spec, initial, late(5), m));
        scores.put("datainf-init3", line(trainer, t, spec, initial, from0(3, 1 / 3.0), m));
        Map<String, Double> job = Influence.scores(trainer, t, spec, m);
        double[] line6 = new double[n];
        for (int i = 0; i < n; i++) {
          line6[i] = job.get(train.get(i).id());
        }
        scores.put("job", line6);
        scores.put("job+final", plus(line6, d, 1));
        scores.put("datainf-init10", line(trainer, t, spec, initial, from0(10, 1 / 3.0), m));
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
    return new Trial(scores, loo, withAll, spec.totalSteps(), dataInfNanos, tracInNanos);
  }

  /**
   * TracIn at the current point (Pruthi et al. 2020, one checkpoint): η·⟨∇L(d), ∇L_eval⟩ for each
   * training document, keeping each document's gradient in {@code keep} when it is not null.
   */
  private static double[] tracIn(
      Trainer trainer, Trainable t, TuningJobSpec spec, NDManager m, float[][][] keep) {
    Influence.Layout params = Influence.Layout.byArray(t);
    float[][] v = Influence.gradient(trainer, params, spec.evalExamples(), spec.batchSize(), m);
    List<JobDocument> docs = spec.train();
    double[] out = new double[docs.size()];
    for (int i = 0; i < out.length; i++) {
      float[][] g = Influence.gradient(trainer, params, List.of(docs.get(i).example()), 1, m);
      if (keep != null) {
        keep[i] = g;
      }
      double dot = 0;
      for (int l = 0; l < g.length; l++) {
        for (int j = 0; j < g[l].length; j++) {
          dot += (double) g[l][j] * v[l][j];
        }
      }
      out[i] = spec.learningRate() * dot;
    }
    return out;
  }

  /** DataInf at the adapter's current values, as the job scores each point of its line. */
  private static double[] atPoint(Trainer trainer, Trainable t, TuningJobSpec spec, NDManager m) {
    return Influence.atPoint(
        trainer, t, spec, DataInf.DEFAULT_DAMPING, Influence.KEEP_GRADIENTS_BYTES, m);
  }

  /** (k/(points-1))^power for k = 0..points-1: from the initial adapter to the final one. */
  private static double[] from0(int points, double power) {
    double[] a = new double[points];
    for (int k = 0; k < points; k++) {
      a[k] = Math.pow((double) k / (points - 1), power);
    }
    return a;
  }

  private static double[] plus(double[] a, double[] b, double w) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + w * b[i];
    }
    return out;
  }

  /** k/points for k = 1..points. */
  private static double[] even(int points) {
    double[] a = new double[points];
    for (int k = 1; k <= points; k++) {
      a[k - 1] = (double) k / points;
    }
    return a;
  }

  /** (k/points)^½ for k = 1..points. */
  private static double[] late(int points) {
    double[] a = even(points);
    for (int k = 0; k < points; k++) {
      a[k] = Math.sqrt(a[k]);
    }
    return a;
  }

  /** DataInf summed over the line's points at fractions {@code alpha}, as the job sums its own. */
  private static double[] line(
      Trainer trainer,
      Trainable t,
      TuningJobSpec spec,
      Map<String, float[]> initial,
      double[] alpha,
      NDManager m) {
    return Influence.alongLine(
        trainer,
        t,
        spec,
        initial,
        alpha,
        DataInf.DEFAULT_DAMPING,
        Influence.KEEP_GRADIENTS_BYTES,
        m);
  }

  /** Each document's blocks concatenated into the groups {@code groupOf} assigns them to. */
  private static float[][][] regroup(float[][][] grads, int[] groupOf) {
    float[][][] out = new float[grads.length][][];
    for (int i = 0; i < grads.length; i++) {
      out[i] = regroup(grads[i], groupOf);
    }
    return out;
  }

  private static float[][] regroup(float[][] blocks, int[] groupOf) {
    int groups = 0;
    for (int g : groupOf) {
      groups = Math.max(groups, g + 1);
    }
    int[] size = new int[groups];
    for (int l = 0; l < blocks.length; l++) {
      size[groupOf[l]] += blocks[l].length;
    }
    float[][] out = new float[groups][];
    int[] at = new int[groups];
    for (int g = 0; g < groups; g++) {
      out[g] = new float[size[g]];
    }
    for (int l = 0; l < blocks.length; l++) {
      int g = groupOf[l];
      System.arraycopy(blocks[l], 0, out[g], at[g], blocks[l].length);
      at[g] += blocks[l].length;
    }
    return out;
  }

  private static void report(String what, Map<String, double[]> scores, double[] loo) {
    for (Map.Entry<String, double[]> e : scores.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "%s: %-13s vs LOO: Pearson r = %.3f, Spearman rho = %.3f%n",
          what,
          e.getKey(),
          pearson(e.getValue(), loo),
          pearson(ranks(e.getValue()), ranks(loo)));
    }
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
