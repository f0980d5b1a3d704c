package io.ascribe.inference.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.ClassManager;
import io.ascribe.inference.lora.LoraAdapter;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  static final LlamaConfig TINY = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);
  static final ByteTokenizer TOK = new ByteTokenizer();
  static final LoraConfig LORA = new LoraConfig(4, 8, 0.1, List.of("q_proj", "v_proj", "up_proj"));
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  @TempDir Path dir;

  static List<Example> dataset() {
    List<Example> out = new ArrayList<>();
    for (String[] p :
        new String[][] {{"one", "1"}, {"two", "2"}, {"three", "3"}, {"four", "4"}, {"five", "5"}}) {
      out.add(new Example("word: " + p[0] + "\ndigit:", " " + p[1]));
    }
    return out;
  }

  private static float[] logits(LlamaModel model, String text) {
    try (NDManager step = MANAGER.get().newSubManager()) {
      return model.forward(LlamaModel.ids(step, TOK.encode(text)), null, false).toFloatArray();
    }
  }

  @Test
  void warmupThenCosine() {
    Schedule s = new Schedule.WarmupCosine(2, 0.1);
    assertThat(s.factor(1, 10)).isEqualTo(0.5);
    assertThat(s.factor(2, 10)).isEqualTo(1.0);
    assertThat(s.factor(6, 10)).isCloseTo(0.55, within(1e-12)); // half-way down: (1 + 0.1) / 2
    assertThat(s.factor(10, 10)).isCloseTo(0.1, within(1e-12));
    assertThat(new Schedule.Constant().factor(7, 10)).isEqualTo(1.0);
    TrainConfig c = TrainConfig.lora(1e-2, 10, 2, 1).withSchedule(s);
    assertThat(c.lrAt(1)).isEqualTo(5e-3);
    assertThatThrownBy(() -> new Schedule.WarmupCosine(-1, 0)).hasMessageContaining("warm-up");
    assertThatThrownBy(() -> c.withAccumulation(0)).hasMessageContaining("accumulation > 0");
  }

  @Test
  void accumulatedMicroBatchesMatchOneLargeBatchAndProgressCountsTokens() {
    // Identical examples make every micro-batch's mean loss the same function, so two micro-
    // batches of 4 must give the gradient of one batch of 8.
    List<Example> same = Collections.nCopies(8, new Example("word: six\ndigit:", " 6"));
    LoraConfig noDropout = new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj"));
    List<List<Double>> runs = new ArrayList<>();
    List<Trainer.Progress> seen = new ArrayList<>();
    for (int[] shape : new int[][] {{8, 1}, {4, 2}}) {
      try (LlamaModel model = ModelFactory.create(TINY, 5, MANAGER.get());
          LoraAdapter lora = LoraAdapter.create(model, noDropout, 6)) {
        model.attach(lora);
        TrainConfig c = TrainConfig.lora(1e-2, 5, shape[0], 7).withAccumulation(shape[1]);
        runs.add(new Trainer(model, TOK).train(lora, same, c, MANAGER.get(), seen::add, null));
      }
    }
    for (int i = 0; i < 5; i++) {
      assertThat(runs.get(1).get(i)).isCloseTo(runs.get(0).get(i), within(1e-5));
    }
    int perExample = 1 + "word: six\ndigit: 6".length(); // BOS + text, predicting text + EOS
    assertThat(seen)
        .hasSize(10)
        .allSatisfy(
            p -> {
              assertThat(p.tokens()).isEqualTo(8L * perExample);
              assertThat(p.tokensPerSecond()).isPositive();
              assertThat(p.totalSteps()).isEqualTo(5);
            });
  }

  @Test
  void qloraRecomputingItsLayersTrainsTheAdapterItTrainsWithoutRecomputing() {
    // Two micro-batches per step, so the recomputed path's 1/2 gradient scale is in play too.
    LoraConfig noDropout = new LoraConfig(4, 8, 0, LlamaModel.PROJECTIONS);
    TrainConfig c = TrainConfig.lora(1e-2, 4, 2, 43).withAccumulation(2);
    List<List<Double>> losses = new ArrayList<>();
    List<List<Double>> norms = new ArrayList<>();
    List<float[]> adapters = new ArrayList<>();
    for (boolean recompute : new boolean[] {false, true}) {
      List<Double> norm = new ArrayList<>();
      norms.add(norm);
      try (LlamaModel model = ModelFactory.create(TINY, 44, MANAGER.get())) {
        model.quantizeNf4();
        try (LoraAdapter lora = LoraAdapter.create(model, noDropout, 45)) {
          model.attach(lora);
          Trainer trainer = new Trainer(model, TOK);
          trainer.setRecomputeLayers(recompute);
          losses.add(
              trainer.train(lora, dataset(), c, MANAGER.get(), p -> norm.add(p.gradNorm()), null));
          adapters.add(logits(model, "word: two\ndigit:"));
        }
      }
    }
    assertThat(losses.get(1)).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(losses.get(1).get(i)).isCloseTo(losses.get(0).get(i), within(1e-6));
      // The norm before clipping: AdamW would hide a gradient of the wrong scale, this does not.
      assertThat(norms.get(1).get(i)).isCloseTo(norms.get(0).get(i), within(1e-5));
    }
    // The trained models answer alike: their logits agree to float rounding.
    for (int i = 0; i < adapters.get(0).length; i++) {
      assertThat(adapters.get(1)[i]).isCloseTo(adapters.get(0)[i], within(1e-4f));
    }
    // With dropout the recomputed run draws its masks per layer, so its first update and the loss
    // after it differ (the first loss does not: B starts at zero, so dropout before it changes
    // nothing yet): the flag does take the other path.
    LoraConfig dropout = new LoraConfig(4, 8, 0.3, LlamaModel.PROJECTIONS);
    List<Double> second = new ArrayList<>();
    for (boolean recompute : new boolean[] {false, true}) {
      try (LlamaModel model = ModelFactory.create(TINY, 44, MANAGER.get());
          LoraAdapter lora = LoraAdapter.create(model, dropout, 45)) {
        model.attach(lora);
        Trainer trainer = new Trainer(model, TOK);
        trainer.setRecomputeLayers(recompute);
        second.add(
            trainer.train(lora, dataset(), c.withSteps(2), MANAGER.get(), null, null).get(1));
      }
    }
    assertThat(second.get(1)).isNotEqualTo(second.get(0));
  }

  @Test
  void influenceGradientsAreTheSameWhenTheLayersAreRecomputed() {
    // Trainer.backward (influence scoring) in chunks of 2, with and without recomputing.
    LoraConfig noDropout = new LoraConfig(4, 8, 0, LlamaModel.PROJECTIONS);
    try (LlamaModel model = ModelFactory.create(TINY, 46, MANAGER.get())) {
      model.quantizeNf4();
      try (LoraAdapter lora = LoraAdapter.create(model, noDropout, 47)) {
        model.attach(lora);
        List<ai.djl.ndarray.NDArray> params = List.copyOf(lora.namedParameters().values());
        params.forEach(p -> p.setRequiresGradient(true));
        // Per run, each array's gradient.
        List<List<float[]>> grads = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        for (boolean recompute : new boolean[] {false, true}) {
          Trainer trainer = new Trainer(model, TOK);
          trainer.setRecomputeLayers(recompute);
          losses.add(trainer.backward(dataset(), 2, MANAGER.get()));
          List<float[]> run = new ArrayList<>();
          for (ai.djl.ndarray.NDArray p : params) {
            run.add(p.getGradient().toFloatArray());
            p.getGradient().subi(p.getGradient());
          }
          grads.add(run);
        }
        assertThat(losses.get(1)).isCloseTo(losses.get(0), within(1e-6));
        float largest = 0;
        for (int a = 0; a < params.size(); a++) {
          float[] whole = grads.get(0).get(a);
          float[] recomputed = grads.get(1).get(a);
          for (int i = 0; i < whole.length; i++) {
            largest = Math.max(largest, Math.abs(whole[i]));
            assertThat(recomputed[i])
                .isCloseTo(whole[i], within(1e-6f + 1e-4f * Math.abs(whole[i])));
          }
        }
        assertThat(largest).isGreaterThan(1e-3f);
      }
    }
  }

  @Test
  void aStopAskedForBeforeTheRunStopsItAfterOneStepWithACheckpoint() throws Exception {
    Path ckpt = dir.resolve("early");
    try (LlamaModel model = ModelFactory.create(TINY, 40, MANAGER.get());
        LoraAdapter lora = LoraAdapter.create(model, LORA, 42)) {
      model.attach(lora);
      Trainer trainer = new Trainer(model, TOK);
      trainer.requestStop(); // Ctrl-C while the model was still loading
      TrainConfig config = TrainConfig.lora(1e-2, 4, 2, 41);
      Trainer.Checkpointing every = new Trainer.Checkpointing(ckpt, 10);
      assertThat(trainer.train(lora, dataset(), config, MANAGER.get(), null, every)).hasSize(1);
      assertThat(Trainer.checkpointStep(ckpt)).hasValue(1);
      // The request was used up: the next run goes on to the end.
      assertThat(trainer.train(lora, dataset(), config, MANAGER.get(), null, every)).hasSize(4);
    }
  }

  @Test
  void resumingFromACheckpointRepeatsTheUninterruptedRun() throws Exception {
    TrainConfig config =
        TrainConfig.lora(2e-2, 8, 2, 41)
            .withSchedule(new Schedule.WarmupCosine(3, 0.1))
            .withAccumulation(2);
    List<Double> whole;
    float[] wholeLogits;
    try (LlamaModel model = ModelFactory.create(TINY, 40, MANAGER.get());
        LoraAdapter lora = LoraAdapter.create(model, LORA, 42)) {
      model.attach(lora);
      whole = new Trainer(model, TOK).train(lora, dataset(), config, MANAGER.get(), null, null);
      wholeLogits = logits(model, "word: two\ndigit:");
    }
    Path ckpt = dir.resolve("ckpt");
    Trainer.Checkpointing every3 = new Trainer.Checkpointing(ckpt, 3);
    try (LlamaModel model = ModelFactory.create(TINY, 40, MANAGER.get());
        LoraAdapter lora = LoraAdapter.create(model, LORA, 42)) {
      model.attach(lora);
      Trainer trainer = new Trainer(model, TOK);
      // Stop after step 5, as a Ctrl-C handler would: a checkpoint is written there.
      List<Double> first =
          trainer.train(
              lora,
              dataset(),
              config,
              MANAGER.get(),
              p -> {
                if (p.step() == 5) {
                  trainer.requestStop();
                }
              },
              every3);
      assertThat(first).hasSize(5).isEqualTo(whole.subList(0, 5));
    }
    assertThat(Files.readString(ckpt.resolve("trainer_state.json"))).contains("\"step\" : 5");
    assertThat(Trainer.checkpointStep(ckpt)).hasValue(5);
    assertThat(Trainer.checkpointStep(dir.resolve("none"))).isEmpty();
    assertThat(Files.exists(ckpt.resolve("optimizer.safetensors"))).isTrue();
    try (LlamaModel model = ModelFactory.create(TINY, 40, MANAGER.get());
        LoraAdapter lora = LoraAdapter.create(model, LORA, 42)) {
      model.attach(lora);
      List<Double> resumed =
          new Trainer(model, TOK).train(lora, dataset(), config, MANAGER.get(), null, every3);
      assertThat(resumed).isEqualTo(whole);
      assertThat(logits(model, "word: two\ndigit:")).containsExactly(wholeLogits);
      assertThat(whole.getLast()).isLessThan(whole.getFirst());

      TrainConfig other = config.withSteps(9);
      assertThatThrownBy(
              () ->
                  new Trainer(model, TOK)
                      .train(lora, dataset(), other, MANAGER.get(), null, every3))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("checkpoint of another run");
      assertThatThrownBy(
              () ->
                  new Trainer(model, TOK)
                      .train(lora, dataset().subList(0, 3), config, MANAGER.get(), null, every3))
          .hasMessageContaining("trained on 5 examples, not 3");
    }
  }
}
