package io.ascribe.inference.job;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.train.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each training document's influence on the evaluation loss, as TracIn (Pruthi et al. 2020) at one
 * checkpoint, the final adapter θ: {@code influence(d) = η · ⟨∇θ L(d; θ), ∇θ L_eval(θ)⟩}, where θ
 * are the trainable arrays only (LoRA's A and B, the prefixes, or every weight for full
 * fine-tuning), {@code L(d)} is the document's mean response-token loss, {@code L_eval} the mean
 * response-token loss over all evaluation documents (as {@link Trainer#evaluate(List, int,
 * NDManager)} computes it) and η the job's learning rate. A gradient step of size η on {@code d}
 * changes the evaluation loss by −η·⟨∇L(d), ∇L_eval⟩ to first order, so a positive score means the
 * document lowers the evaluation loss and a negative one that it raises it.
 *
 * <p>Why one checkpoint and not TracIn's sum over the run's checkpoints: the score is posted on
 * chain and checked by verifiers who hold only the base model, the spec and the final adapter. The
 * intermediate checkpoints exist only on the executor; recomputing them would mean retraining, and
 * trusting them would let an executor invent a history that favours chosen documents. At the final
 * adapter, whose evaluation metrics the verifiers recompute anyway, every score can be recomputed
 * exactly and independently of the others, so a verifier checks a seeded sample of them. Each
 * document's gradient is its own backward pass (no per-example gradients from one batched pass in
 * DJL); for LoRA that pass is cheap, and the evaluation gradient is computed once and kept.
 */
public final class Influence {
  private Influence() {}

  /**
   * The influence of each of {@code docs} (by id, in their order) on the evaluation loss of {@code
   * spec}, for the arrays of {@code trainable}, which must be attached to the trainer's model.
   */
  public static Map<String, Double> scores(
      Trainer trainer,
      Trainable trainable,
      TuningJobSpec spec,
      List<JobDocument> docs,
      NDManager parent) {
    List<NDArray> params = new ArrayList<>(trainable.namedParameters().values());
    for (NDArray p : params) {
      p.setRequiresGradient(true);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    try (NDManager keep = parent.newSubManager()) {
      trainer.backward(spec.evalExamples(), spec.batchSize(), parent);
      List<NDArray> evalGrad = new ArrayList<>();
      try (NDManager tmp = parent.newSubManager()) {
        for (NDArray p : params) {
          NDArray g = p.getGradient();
          g.attach(tmp);
          NDArray copy = g.duplicate();
          copy.attach(keep);
          evalGrad.add(copy);
          clear(g);
        }
      }
      for (JobDocument d : docs) {
        trainer.backward(List.of(d.example()), 1, parent);
        double dot = 0;
        try (NDManager tmp = parent.newSubManager()) {
          for (int i = 0; i < params.size(); i++) {
            NDArray g = params.get(i).getGradient();
            g.attach(tmp);
            NDArray prod = g.mul(evalGrad.get(i));
            dot += prod.sum().getFloat();
            clear(g);
          }
        }
        out.put(d.id(), spec.learningRate() * dot);
      }
    }
    return out;
  }

  private static void clear(NDArray grad) {
    // set(0) rather than g − g, which would keep a NaN or an infinity.
    grad.set(new NDIndex(":"), 0);
  }
}
