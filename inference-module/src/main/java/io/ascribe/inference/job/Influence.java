package io.ascribe.inference.job;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Each training document's influence on the evaluation loss, by {@link DataInf} at the final
 * adapter θ: the gradients are of the trainable arrays only (LoRA's A and B, the prefixes, or every
 * weight for full fine-tuning), one block per adapted module ({@link Layout#byModule}); a
 * document's is the gradient of its mean response-token loss, the evaluation gradient that of the
 * mean response-token loss over all evaluation documents (as {@link Trainer#evaluate(List, int,
 * NDManager)} computes it). Positive means the document lowers the evaluation loss.
 *
 * <p>Why at the final adapter only: the scores are posted on chain and checked by verifiers who
 * hold the base model, the spec and the final adapter, not the executor's training checkpoints;
 * recomputing those would mean retraining, and trusting them would let an executor invent a history
 * that favours chosen documents. DataInf needs nothing but gradients at one point, so a verifier
 * recomputes the scores exactly. Unlike a dot product, though, each score depends on every training
 * document (through λ and the {@code u} term), so a verifier computes all the documents' gradients
 * even to check a sample of the scores. Each gradient is its own backward pass (no per-example
 * gradients from one batched pass in DJL); they are kept in memory when they fit in {@value
 * #KEEP_GRADIENTS_BYTES} bytes and recomputed for each of DataInf's three sweeps when not, which
 * gives the same numbers at three times the passes.
 */
public final class Influence {
  /** The most bytes of per-document gradients kept in memory between DataInf's sweeps. */
  static final long KEEP_GRADIENTS_BYTES = 256L << 20;

  private Influence() {}

  /**
   * The influence of each of {@code spec}'s training documents (by id, in their order) on its
   * evaluation loss, for the arrays of {@code trainable}, which must be attached to the trainer's
   * model.
   */
  public static Map<String, Double> scores(
      Trainer trainer, Trainable trainable, TuningJobSpec spec, NDManager parent) {
    return scores(trainer, trainable, spec, DataInf.DEFAULT_DAMPING, KEEP_GRADIENTS_BYTES, parent);
  }

  /** {@link #scores(Trainer, Trainable, TuningJobSpec, NDManager)} with its knobs exposed. */
  static Map<String, Double> scores(
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
    double[] s;
    if (size * Float.BYTES * docs.size() <= keepBytes) {
      float[][][] kept = new float[docs.size()][][];
      for (int i = 0; i < kept.length; i++) {
        kept[i] = gradient(trainer, params, List.of(docs.get(i).example()), 1, parent);
      }
      s = DataInf.scores(kept, eval, damping);
    } else {
      s =
          DataInf.scores(
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
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < s.length; i++) {
      out.put(docs.get(i).id(), s[i]);
    }
    return out;
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
