package io.ascribe.inference.job;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.ascribe.inference.lora.LoraAdapter;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.Trainer;
import io.ascribe.inference.tuning.PrefixAdapter;
import io.ascribe.inference.tuning.TuningMethod;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Each training document's influence on the evaluation loss: {@link DataInf} summed over {@value
 * #POINTS} points on the straight line from the adapter as the spec's seed initialises it (LoRA's A
 * drawn from the seed and B zero, the seeded prefixes, or the base's own weights for full
 * fine-tuning) to the final adapter θ, at fractions {@code (k/5)^¼} of the way for k = 0..5, so
 * bunched toward θ. At each point the gradients are of the trainable arrays only, one block per
 * adapted module ({@link Layout#byModule}); a document's is the gradient of its mean response-token
 * loss, the evaluation gradient that of the mean response-token loss over all evaluation documents
 * (as {@link Trainer#evaluate(List, int, NDManager)} computes it). Positive means the document
 * lowers the evaluation loss.
 *
 * <p>Why this line: the scores are posted on chain and checked by verifiers who hold the base
 * model, the spec and the final adapter, not the executor's training checkpoints; recomputing those
 * would mean retraining, and trusting them would let an executor invent a history that favours
 * chosen documents. The line's two ends are the spec's seed and the posted adapter, so a verifier
 * recomputes every point exactly. Scoring at θ alone agreed with leave-one-out retraining at r 0.68
 * per seed (0.42–0.78); summing along the line, which stands in for the training trajectory that
 * checkpoint-summed scores follow, reached 0.81 (0.69–0.89), toward the 0.89 of checkpoints, at six
 * times the cost ({@code InfluenceBenchmark} and the module's README). Unlike a dot product, each
 * DataInf score depends on every training document (through λ and the {@code u} term), so a
 * verifier computes all the documents' gradients even to check a sample of the scores. Each
 * gradient is its own backward pass (no per-example gradients from one batched pass in DJL); at
 * each point they are kept in memory when they fit in {@value #KEEP_GRADIENTS_BYTES} bytes and
 * recomputed for each of DataInf's three sweeps when not, which gives the same numbers at three
 * times the passes. The two ends of the line are held as float arrays on the Java heap while it
 * scores, 8 bytes a trainable value: little for adapters, twice the weights for full fine-tuning.
 */
public final class Influence {
  /** The most bytes of per-document gradients kept in memory between DataInf's sweeps. */
  static final long KEEP_GRADIENTS_BYTES = 256L << 20;

  /** How many points of the line from the initial adapter to the final one are scored. */
  static final int POINTS = 6;

  private Influence() {}

  /** The fractions of the way from the initial adapter to the final one: (k/5)^¼, k = 0..5. */
  static double[] line() {
    double[] alpha = new double[POINTS];
    for (int k = 0; k < POINTS; k++) {
      // StrictMath: the same bits on every JVM and CPU, so every verifier scores the same points.
      alpha[k] = StrictMath.pow((double) k / (POINTS - 1), 0.25);
    }
    return alpha;
  }

  /**
   * The influence of each of {@code spec}'s training documents (by id, in their order) on its
   * evaluation loss, for the arrays of {@code trainable} (the final adapter), which must be
   * attached to the trainer's model; they hold the final adapter again when this returns. For full
   * fine-tuning it reads the spec's base weights once more, the line's start.
   *
   * @throws IOException when the base model cannot be read
   */
  public static Map<String, Double> scores(
      Trainer trainer, Trainable trainable, TuningJobSpec spec, NDManager parent)
      throws IOException {
    return scores(trainer, trainable, spec, DataInf.DEFAULT_DAMPING, KEEP_GRADIENTS_BYTES, parent);
  }

  /** {@link #scores(Trainer, Trainable, TuningJobSpec, NDManager)} with its knobs exposed. */
  static Map<String, Double> scores(
      Trainer trainer,
      Trainable trainable,
      TuningJobSpec spec,
      double damping,
      long keepBytes,
      NDManager parent)
      throws IOException {
    Map<String, float[]> initial = initialAdapter(spec, trainer.model(), parent);
    double[] sum = alongLine(trainer, trainable, spec, initial, line(), damping, keepBytes, parent);
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < sum.length; i++) {
      out.put(spec.train().get(i).id(), sum[i]);
    }
    return out;
  }

  /**
   * The trainable arrays as {@code spec}'s method and seed initialise them: a fresh, unattached
   * adapter made on {@code model} (its A, B or prefixes depend on the seed and the shapes only), or
   * for full fine-tuning the base's weights, from a fresh copy of the base that is closed again.
   */
  static Map<String, float[]> initialAdapter(TuningJobSpec spec, LlamaModel model, NDManager parent)
      throws IOException {
    return switch (spec.tuningMethod()) {
      case TuningMethod.Lora l -> valuesOfFresh(LoraAdapter.create(model, l.config(), l.seed()));
      case TuningMethod.QLora q -> valuesOfFresh(LoraAdapter.create(model, q.config(), q.seed()));
      case TuningMethod.PrefixTuning p ->
          valuesOfFresh(PrefixAdapter.create(model, p.prefixLength(), p.seed()));
      case TuningMethod.Full full -> {
        try (NDManager m = parent.newSubManager();
            LlamaModel base = LlamaModel.load(spec.baseModelDir(), m)) {
          yield values(full.applyTo(base));
        }
      }
    };
  }

  /**
   * DataInf summed over the points at fractions {@code alpha} of the way from {@code initial} to
   * the trainable arrays' current values (the final adapter), which they hold again when this
   * returns.
   */
  static double[] alongLine(
      Trainer trainer,
      Trainable trainable,
      TuningJobSpec spec,
      Map<String, float[]> initial,
      double[] alpha,
      double damping,
      long keepBytes,
      NDManager parent) {
    Map<String, float[]> fin = values(trainable);
    if (!initial.keySet().equals(fin.keySet())) {
      throw new IllegalStateException(
          "the spec's method initialises " + initial.keySet() + " but trained " + fin.keySet());
    }
    double[] sum = new double[spec.train().size()];
    try {
      for (double a : alpha) {
        moveTo(trainable, initial, fin, a);
        double[] s = atPoint(trainer, trainable, spec, damping, keepBytes, parent);
        for (int i = 0; i < sum.length; i++) {
          sum[i] += s[i];
        }
      }
    } finally {
      moveTo(trainable, initial, fin, 1);
    }
    return sum;
  }

  /** The arrays of {@code t} by name. */
  static Map<String, float[]> values(Trainable t) {
    Map<String, float[]> out = new LinkedHashMap<>();
    t.namedParameters().forEach((name, p) -> out.put(name, p.toFloatArray()));
    return out;
  }

  /** The arrays of an adapter made only to read them, which is then closed. */
  private static Map<String, float[]> valuesOfFresh(Trainable fresh) {
    try (fresh) {
      return values(fresh);
    }
  }

  /**
   * Sets every trainable array to {@code alpha} of the way from {@code initial} to {@code fin}, in
   * double precision so the point is the same on every device; 0 and 1 are the ends exactly.
   */
  static void moveTo(
      Trainable trainable, Map<String, float[]> initial, Map<String, float[]> fin, double alpha) {
    for (Map.Entry<String, NDArray> e : trainable.namedParameters().entrySet()) {
      float[] a = initial.get(e.getKey());
      float[] b = fin.get(e.getKey());
      if (alpha == 0 || alpha == 1) {
        e.getValue().set(alpha == 0 ? a : b);
        continue;
      }
      float[] x = new float[b.length];
      for (int j = 0; j < x.length; j++) {
        x[j] = (float) (a[j] + alpha * ((double) b[j] - a[j]));
      }
      e.getValue().set(x);
    }
  }

  /** DataInf at the trainable arrays' current values, one score per training document. */
  static double[] atPoint(
      Trainer trainer,
      Trainable trainable,
      TuningJobSpec spec,
      double damping,
      long keepBytes,
      NDManager parent) {
    List<JobDocument> docs = spec.train();
    Layout params = Layout.byModule(trainable);
    float[][] eval = gradient(trainer, params, spec.evalExamples(), spec.batchSize(), parent);
    long size = 0;
    for (float[] block : eval) {
      size += block.length;
    }
    if (size * Float.BYTES * docs.size() <= keepBytes) {
      float[][][] kept = new float[docs.size()][][];
      for (int i = 0; i < kept.length; i++) {
        kept[i] = gradient(trainer, params, List.of(docs.get(i).example()), 1, parent);
      }
      return DataInf.scores(kept, eval, damping);
    }
    return DataInf.scores(
        new DataInf.Gradients() {
          @Override
          public int count() {
            return docs.size();
          }

          @Override
          public float[][] of(int doc) {
            return gradient(trainer, params, List.of(docs.get(doc).example()), 1, parent);
          }
        },
        eval,
        damping);
  }

  /**
   * The trainable arrays, set to record a gradient, and the DataInf block each belongs to: {@code
   * blockOf[i]} for {@code params.get(i)}, blocks numbered in order of first appearance.
   */
  record Layout(List<NDArray> params, int[] blockOf, int blocks) {
    /**
     * One block per adapted module, the paper's θ_l: a LoRA module's A and B together, a layer's
     * key and value prefixes together, and each weight alone for full fine-tuning. A and B of one
     * module act on the output only through their product, so their gradients are strongly coupled;
     * splitting them would drop that coupling from the Hessian approximation (and measured a little
     * further from leave-one-out retraining over the random tiny base, level over the pretrained
     * one: see {@code InfluenceBenchmark} and the module's README).
     */
    static Layout byModule(Trainable trainable) {
      return of(trainable, Layout::module);
    }

    /** One block per trainable array. */
    static Layout byArray(Trainable trainable) {
      return of(trainable, name -> name);
    }

    private static Layout of(Trainable trainable, UnaryOperator<String> block) {
      List<NDArray> params = new ArrayList<>();
      Map<String, Integer> blocks = new LinkedHashMap<>();
      int[] blockOf = new int[trainable.namedParameters().size()];
      for (Map.Entry<String, NDArray> e : trainable.namedParameters().entrySet()) {
        blockOf[params.size()] =
            blocks.computeIfAbsent(block.apply(e.getKey()), k -> blocks.size());
        NDArray p = e.getValue();
        p.setRequiresGradient(true);
        params.add(p);
      }
      return new Layout(params, blockOf, blocks.size());
    }

    private static String module(String param) {
      for (String suffix : List.of(".lora_A.weight", ".lora_B.weight", ".key", ".value")) {
        if (param.endsWith(suffix)) {
          return param.substring(0, param.length() - suffix.length());
        }
      }
      return param;
    }
  }

  /**
   * The gradient of the mean response loss of {@code examples} (run {@code chunk} at a time) with
   * respect to the layout's arrays, one flattened {@code float[]} per block (its arrays in order),
   * leaving their gradients zero.
   */
  static float[][] gradient(
      Trainer trainer, Layout layout, List<Example> examples, int chunk, NDManager parent) {
    trainer.backward(examples, chunk, parent);
    List<NDArray> params = layout.params();
    float[][] arrays = new float[params.size()][];
    int[] size = new int[layout.blocks()];
    try (NDManager tmp = parent.newSubManager()) {
      for (int i = 0; i < params.size(); i++) {
        NDArray g = params.get(i).getGradient();
        g.attach(tmp);
        arrays[i] = g.toType(DataType.FLOAT32, false).toFloatArray();
        size[layout.blockOf()[i]] += arrays[i].length;
        // set(0) rather than g − g, which would keep a NaN or an infinity.
        g.set(new NDIndex(":"), 0);
      }
    }
    float[][] out = new float[layout.blocks()][];
    int[] at = new int[layout.blocks()];
    for (int b = 0; b < out.length; b++) {
      out[b] = new float[size[b]];
    }
    for (int i = 0; i < arrays.length; i++) {
      int b = layout.blockOf()[i];
      System.arraycopy(arrays[i], 0, out[b], at[b], arrays[i].length);
      at[b] += arrays[i].length;
    }
    return out;
  }
}
