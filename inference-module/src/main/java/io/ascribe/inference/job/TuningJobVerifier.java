package io.ascribe.inference.job;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tokenizer.Tokenizer;
import io.ascribe.inference.tokenizer.Tokenizers;
import io.ascribe.inference.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Checks a tuning job's posted result from the spec, the base model and the adapter file alone: it
 * loads the adapter over the base ({@link TuningJobRunner#loadAdapter}), recomputes the evaluation
 * loss and ROUGE-L ({@link JobEvaluation}) and the influence ({@link Influence}, DataInf along the
 * line from the adapter the spec's seed initialises to the posted one: both ends are the verifier's
 * to rebuild, which is why it can recompute it) of a seeded sample of the training documents
 * (computing it takes every document's gradient, since each score depends on all), and accepts when
 * every figure is within the {@link Tolerance}. The first check that fails is named with the
 * recomputed figures; an unreadable or mismatched adapter file is a rejection too, since the node
 * fetched it by the hash the executor posted. What it cannot tell without retraining is whether the
 * adapter came from this spec's run: an adapter trained otherwise (another seed, fewer steps)
 * passes when its figures are the ones this spec's scoring gives it (its influence line still
 * starts at the adapter this spec's seed initialises), and is then judged by those figures.
 */
public final class TuningJobVerifier {
  /**
   * How far a claimed figure may be from the recomputed one. {@code evalLoss}: relative, of max(1,
   * recomputed) (so absolute below a loss of 1); {@code rougeL}: absolute; {@code influence}: per
   * sampled document, relative to the largest recomputed |influence| in the sample, so scores near
   * zero are not held to a tighter bound than the ones that matter. The defaults (1%, 0.02, 10%)
   * absorb the float differences between devices and thread counts; on the same CPU the figures
   * agree exactly.
   */
  public record Tolerance(double evalLoss, double rougeL, double influence) {
    public static final Tolerance DEFAULT = new Tolerance(0.01, 0.02, 0.1);

    public Tolerance {
      if (!(evalLoss >= 0) || !(rougeL >= 0) || !(influence >= 0)) {
        throw new IllegalArgumentException(
            "tolerances must be ≥ 0, got " + evalLoss + ", " + rougeL + ", " + influence);
      }
    }
  }

  /** The checks in the order they are made. */
  public enum Check {
    ADAPTER,
    EVAL_LOSS,
    ROUGE_L,
    INFLUENCE
  }

  /**
   * The verdict: accepted, the recomputed evaluation loss and ROUGE-L (NaN when the adapter could
   * not be loaded), why it was rejected (empty when accepted), the check that failed (null when
   * accepted) and the recomputed influence of the sampled documents by id.
   */
  public record Verification(
      boolean accepted,
      double evalLoss,
      double rougeL,
      String reason,
      Check failed,
      Map<String, Double> influence) {
    public Verification {
      influence = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(influence));
    }
  }

  /**
   * Verifies a result for {@code spec}: the adapter in {@code adapterFile}, the claimed evaluation
   * loss and ROUGE-L, and the claimed influence of every training document, of which {@code
   * sampleSize} (all when larger) chosen by {@code sampleSeed} are recomputed.
   *
   * @throws UncheckedIOException when the base model cannot be read (the verifier's problem, not
   *     the executor's)
   */
  public Verification verify(
      TuningJobSpec spec,
      Path adapterFile,
      double claimedEvalLoss,
      double claimedRougeL,
      Map<String, Double> claimedInfluence,
      long sampleSeed,
      int sampleSize,
      Tolerance tolerance) {
    try (NDManager manager = Torch.engine().newBaseManager();
        LlamaModel model =
            LlamaModel.load(spec.baseModelDir(), manager, spec.tuningMethod().quantizesBase());
        Tokenizer tokenizer =
            Tokenizers.forModel(spec.baseModelDir(), model.config().vocabSize())) {
      Trainable adapter;
      try {
        adapter = TuningJobRunner.loadAdapter(spec, adapterFile, model);
      } catch (ModelException | IOException e) {
        return reject(Check.ADAPTER, Double.NaN, Double.NaN, e.getMessage(), Map.of());
      }
      try (adapter) {
        JobEvaluation eval = JobEvaluation.of(model, tokenizer, spec, manager);
        List<JobDocument> sample = sample(spec.train(), sampleSeed, sampleSize);
        // DataInf's scores depend on every training document, so all are computed; the sample
        // is what is compared.
        // The executor's gradients: QLoRA recomputes its layers there too.
        Trainer trainer = new Trainer(model, tokenizer);
        trainer.setRecomputeLayers(spec.tuningMethod().recomputesLayers());
        Map<String, Double> all = Influence.scores(trainer, adapter, spec, manager);
        Map<String, Double> influence = new LinkedHashMap<>();
        for (JobDocument d : sample) {
          influence.put(d.id(), all.get(d.id()));
        }
        return judge(
            spec, eval, influence, claimedEvalLoss, claimedRougeL, claimedInfluence, tolerance);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the base model in " + spec.baseModelDir() + ": " + e.getMessage(), e);
    }
  }

  private static Verification judge(
      TuningJobSpec spec,
      JobEvaluation eval,
      Map<String, Double> influence,
      double claimedEvalLoss,
      double claimedRougeL,
      Map<String, Double> claimed,
      Tolerance tol) {
    double loss = eval.evalLoss();
    double rouge = eval.rougeL();
    if (!(Math.abs(claimedEvalLoss - loss) <= tol.evalLoss() * Math.max(1, Math.abs(loss)))) {
      return reject(
          Check.EVAL_LOSS,
          loss,
          rouge,
          String.format(
              Locale.ROOT, "eval loss claimed %.6f, recomputed %.6f", claimedEvalLoss, loss),
          influence);
    }
    if (!(Math.abs(claimedRougeL - rouge) <= tol.rougeL())) {
      return reject(
          Check.ROUGE_L,
          loss,
          rouge,
          String.format(Locale.ROOT, "ROUGE-L claimed %.6f, recomputed %.6f", claimedRougeL, rouge),
          influence);
    }
    Set<String> ids = new HashSet<>();
    spec.train().forEach(d -> ids.add(d.id()));
    if (!claimed.keySet().equals(ids)) {
      Set<String> missing = new HashSet<>(ids);
      missing.removeAll(claimed.keySet());
      Set<String> extra = new HashSet<>(claimed.keySet());
      extra.removeAll(ids);
      return reject(
          Check.INFLUENCE,
          loss,
          rouge,
          "influence must score exactly the training documents: "
              + missing.size()
              + " missing, "
              + extra.size()
              + " not in the training set",
          influence);
    }
    double scale = 0;
    for (double v : influence.values()) {
      scale = Math.max(scale, Math.abs(v));
    }
    double bound = tol.influence() * scale;
    for (Map.Entry<String, Double> e : influence.entrySet()) {
      Double c = claimed.get(e.getKey());
      if (c == null || !(Math.abs(c - e.getValue()) <= bound)) {
        return reject(
            Check.INFLUENCE,
            loss,
            rouge,
            String.format(
                Locale.ROOT,
                "influence of %s claimed %.6g, recomputed %.6g (tolerance ±%.3g)",
                e.getKey(),
                c,
                e.getValue(),
                bound),
            influence);
      }
    }
    return new Verification(true, loss, rouge, "", null, influence);
  }

  private static Verification reject(
      Check check, double loss, double rouge, String reason, Map<String, Double> influence) {
    return new Verification(false, loss, rouge, reason, check, influence);
  }

  /**
   * {@code size} of {@code docs} (all when {@code size} ≥ their number) drawn by a Fisher-Yates
   * shuffle of their positions with {@link Random}{@code (seed)}, whose sequence the Java
   * specification fixes, kept in training order.
   */
  static List<JobDocument> sample(List<JobDocument> docs, long seed, int size) {
    if (size < 0) {
      throw new IllegalArgumentException("sample size must be ≥ 0, got " + size);
    }
    int n = docs.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int s = order[i];
      order[i] = order[j];
      order[j] = s;
    }
    int k = Math.min(size, n);
    int[] chosen = java.util.Arrays.copyOf(order, k);
    java.util.Arrays.sort(chosen);
    List<JobDocument> out = new ArrayList<>();
    for (int i : chosen) {
      out.add(docs.get(i));
    }
    return out;
  }
}
