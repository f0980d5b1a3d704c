package io.ascribe.inference.job;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.TinyModel;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.train.Trainer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfluenceTest {
  @Test
  void recomputingTheGradientsForEachSweepGivesTheSameScoresAsKeepingThem(@TempDir Path dir)
      throws Exception {
    Path base = TinyModel.write(dir.resolve("base"), 3);
    TuningJobSpec spec = Jobs.capitals(base, TuningJobSpec.Method.LORA, 4);
    try (NDManager m = Torch.engine().newBaseManager();
        LlamaModel model = LlamaModel.load(base, m)) {
      Trainer trainer = new Trainer(model, new ByteTokenizer());
      try (Trainable t = spec.tuningMethod().applyTo(model)) {
        trainer.train(t, spec.trainExamples(), spec.trainConfig(), m, null, null);
        Map<String, Double> kept = Influence.scores(trainer, t, spec, m);
        Map<String, Double> recomputed =
            Influence.scores(trainer, t, spec, DataInf.DEFAULT_DAMPING, 0, m);
        // A job too large to keep its gradients posts the same numbers, bit for bit, and a
        // second scoring leaves nothing behind in the gradients that would change a third.
        assertThat(recomputed).isEqualTo(kept);
        assertThat(Influence.scores(trainer, t, spec, m)).isEqualTo(kept);
        assertThat(kept.keySet())
            .containsExactlyElementsOf(spec.train().stream().map(JobDocument::id).toList());
        assertThat(kept.values()).allSatisfy(v -> assertThat(v).isFinite());
      }
    }
  }

  @Test
  void theLineStartsAtTheSeedsInitialAdapterAndLeavesTheFinalOneInPlace(@TempDir Path dir)
      throws Exception {
    Path base = TinyModel.write(dir.resolve("base"), 3);
    for (TuningJobSpec.Method method : TuningJobSpec.Method.values()) {
      TuningJobSpec spec = Jobs.capitals(base, method, 4);
      try (NDManager m = Torch.engine().newBaseManager();
          LlamaModel model = LlamaModel.load(base, m)) {
        Trainer trainer = new Trainer(model, new ByteTokenizer());
        try (Trainable t = spec.tuningMethod().applyTo(model)) {
          Map<String, float[]> before = Influence.values(t);
          trainer.train(t, spec.trainExamples(), spec.trainConfig(), m, null, null);
          Map<String, float[]> trained = Influence.values(t);
          // What a verifier rebuilds from the spec alone, after training, is where this run's
          // training began.
          assertThat(Influence.initialAdapter(spec, model, m))
              .as("%s", method)
              .containsOnlyKeys(before.keySet())
              .allSatisfy((name, v) -> assertThat(v).containsExactly(before.get(name)));
          Influence.scores(trainer, t, spec, m);
          // The adapter written, evaluated and served after scoring is the trained one, bit for
          // bit, not the last point of the line scored.
          assertThat(Influence.values(t))
              .as("%s", method)
              .allSatisfy((name, v) -> assertThat(v).containsExactly(trained.get(name)));
        }
      }
    }
  }

  @Test
  void theScoresAreDataInfSummedOverSixPointsOfTheLineNotTheFinalAdapterAlone(@TempDir Path dir)
      throws Exception {
    Path base = TinyModel.write(dir.resolve("base"), 3);
    TuningJobSpec spec = Jobs.capitals(base, TuningJobSpec.Method.LORA, 4);
    assertThat(Influence.line())
        .containsExactly(
            new double[] {0, 0.6687403, 0.7952707, 0.8801117, 0.9457416, 1},
            org.assertj.core.data.Offset.offset(1e-7));
    try (NDManager m = Torch.engine().newBaseManager();
        LlamaModel model = LlamaModel.load(base, m)) {
      Trainer trainer = new Trainer(model, new ByteTokenizer());
      try (Trainable t = spec.tuningMethod().applyTo(model)) {
        Map<String, float[]> initial = Influence.values(t);
        trainer.train(t, spec.trainExamples(), spec.trainConfig(), m, null, null);
        Map<String, float[]> trained = Influence.values(t);
        double[] finalOnly =
            Influence.atPoint(
                trainer, t, spec, DataInf.DEFAULT_DAMPING, Influence.KEEP_GRADIENTS_BYTES, m);
        double[] sum = new double[spec.train().size()];
        for (double alpha : Influence.line()) {
          Influence.moveTo(t, initial, trained, alpha);
          double[] s =
              Influence.atPoint(
                  trainer, t, spec, DataInf.DEFAULT_DAMPING, Influence.KEEP_GRADIENTS_BYTES, m);
          for (int i = 0; i < sum.length; i++) {
            sum[i] += s[i];
          }
        }
        Influence.moveTo(t, initial, trained, 1);
        Map<String, Double> scores = Influence.scores(trainer, t, spec, m);
        for (int i = 0; i < sum.length; i++) {
          assertThat(scores.get(spec.train().get(i).id())).isEqualTo(sum[i]);
        }
        assertThat(scores.values().stream().mapToDouble(Double::doubleValue).toArray())
            .isNotEqualTo(finalOnly);
      }
    }
  }

  @Test
  void theBlocksAreTheAdaptedModules(@TempDir Path dir) throws Exception {
    Path base = TinyModel.write(dir.resolve("base"), 3);
    try (NDManager m = Torch.engine().newBaseManager();
        LlamaModel model = LlamaModel.load(base, m)) {
      // Two layers, q_proj and v_proj in each: four modules, each its A then its B.
      try (Trainable lora =
          Jobs.capitals(base, TuningJobSpec.Method.LORA, 1).tuningMethod().applyTo(model)) {
        Influence.Layout layout = Influence.Layout.byModule(lora);
        assertThat(layout.blockOf()).containsExactly(0, 0, 1, 1, 2, 2, 3, 3);
        assertThat(layout.blocks()).isEqualTo(4);
        assertThat(Influence.Layout.byArray(lora).blocks()).isEqualTo(8);
        assertThat(layout.params()).allSatisfy(p -> assertThat(p.hasGradient()).isTrue());
      }
      // A layer's key and value prefixes are one block.
      try (Trainable prefix =
          Jobs.capitals(base, TuningJobSpec.Method.PTUNING, 1).tuningMethod().applyTo(model)) {
        assertThat(Influence.Layout.byModule(prefix).blockOf()).containsExactly(0, 0, 1, 1);
      }
    }
  }
}
