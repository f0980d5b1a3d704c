package io.ascribe.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ascribe.inference.eval.Perplexity;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.TrainConfig;
import io.ascribe.inference.train.Trainer;
import io.ascribe.inference.tuning.TuningMethod;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GenerationTest {
  static final LlamaConfig TINY = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);
  static final ByteTokenizer TOK = new ByteTokenizer();
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  @Test
  void temperatureTopKAndTopPShapeTheDistribution() {
    float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2), -50};
    double[] plain = new Sampling.Sampled(1, 0, 1, 1).distribution(logits);
    assertThat(plain[0]).isCloseTo(0.5, within(1e-6));
    assertThat(plain[2]).isCloseTo(0.2, within(1e-6));
    // Top-k 2 keeps 0.5 and 0.3, renormalised.
    double[] k2 = new Sampling.Sampled(1, 2, 1, 1).distribution(logits);
    assertThat(k2).containsExactly(new double[] {0.625, 0.375, 0, 0}, within(1e-6));
    // Top-p 0.7: 0.5 alone is short of 0.7, 0.5 + 0.3 reaches it.
    double[] p7 = new Sampling.Sampled(1, 0, 0.7, 1).distribution(logits);
    assertThat(p7).containsExactly(new double[] {0.625, 0.375, 0, 0}, within(1e-6));
    double[] p5 = new Sampling.Sampled(1, 0, 0.5, 1).distribution(logits);
    assertThat(p5[0]).isEqualTo(1.0);
    // Temperature 0.5 squares the odds: 0.25 : 0.09 : 0.04.
    double[] cold = new Sampling.Sampled(0.5, 0, 1, 1).distribution(logits);
    assertThat(cold[1] / cold[0]).isCloseTo(0.36, within(1e-5));
    assertThat(new Sampling.Greedy().pick(logits, null)).isZero();
    assertThatThrownBy(() -> new Sampling.Sampled(0, 0, 1, 1)).hasMessageContaining("temperature");
    assertThatThrownBy(() -> new Sampling.Sampled(1, 0, 0, 1)).hasMessageContaining("top-p");
  }

  @Test
  void seededDrawsFollowTheDistribution() {
    float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
    Sampling s = new Sampling.Sampled(1, 0, 1, 9);
    int[] counts = new int[3];
    Random r = new Random(9);
    for (int i = 0; i < 20_000; i++) {
      counts[s.pick(logits, r)]++;
    }
    // Binomial σ ≈ 0.0035 at 20,000 draws; 0.015 is over 4σ.
    assertThat(counts[0] / 20_000.0).isCloseTo(0.5, within(0.015));
    assertThat(counts[1] / 20_000.0).isCloseTo(0.3, within(0.015));
    assertThat(counts[2] / 20_000.0).isCloseTo(0.2, within(0.015));
  }

  @Test
  void samplingIsSeededStopsOnSequencesAndTopKOneIsGreedy() {
    try (LlamaModel model = ModelFactory.create(TINY, 91, MANAGER.get())) {
      Generator g = new Generator(model, TOK);
      Generator.Options hot =
          new Generator.Options(24, new Sampling.Sampled(1.5, 0, 0.95, 5), List.of(), true);
      Generator.Result a = g.generate("hello", hot, MANAGER.get());
      assertThat(a.tokens()).hasSize(24);
      assertThat(a.reason()).isEqualTo(Generator.StopReason.LENGTH);
      assertThat(g.generate("hello", hot, MANAGER.get()).tokens()).containsExactly(a.tokens());
      Generator.Options otherSeed =
          new Generator.Options(24, new Sampling.Sampled(1.5, 0, 0.95, 6), List.of(), true);
      assertThat(g.generate("hello", otherSeed, MANAGER.get()).tokens()).isNotEqualTo(a.tokens());
      // Without the cache the same seed draws the same tokens.
      Generator.Options noCache =
          new Generator.Options(24, new Sampling.Sampled(1.5, 0, 0.95, 5), List.of(), false);
      assertThat(g.generate("hello", noCache, MANAGER.get()).tokens()).containsExactly(a.tokens());

      Generator.Result greedy = g.generate("hello", Generator.Options.greedy(16), MANAGER.get());
      Generator.Options k1 =
          new Generator.Options(16, new Sampling.Sampled(0.7, 1, 1, 77), List.of(), true);
      assertThat(g.generate("hello", k1, MANAGER.get()).tokens()).containsExactly(greedy.tokens());

      // Stop at the first occurrence of a piece of the sampled text: cut there, tokens kept.
      String stop = a.text().substring(5, 7);
      Generator.Options withStop =
          new Generator.Options(
              24, new Sampling.Sampled(1.5, 0, 0.95, 5), List.of("\u0000\u0001", stop), true);
      Generator.Result s = g.generate("hello", withStop, MANAGER.get());
      assertThat(s.reason()).isEqualTo(Generator.StopReason.STOP_SEQUENCE);
      assertThat(s.text()).isEqualTo(a.text().substring(0, a.text().indexOf(stop)));
      assertThat(a.tokens()).startsWith(s.tokens());
      assertThat(TOK.decode(s.tokens())).endsWith(stop);
    }
  }

  @Test
  void perplexityOfARandomModelIsNearTheVocabularyAndFallsWithTraining() {
    List<Example> data =
        List.of(
            new Example("colour of snow:", " white"),
            new Example("colour of grass:", " green"),
            new Example("colour of sky:", " blue"));
    try (LlamaModel model = ModelFactory.create(TINY, 93, MANAGER.get())) {
      double random = Perplexity.ofTexts(model, TOK, List.of("some text", "more"), MANAGER.get());
      assertThat(random).isBetween(0.85 * 258, 1.15 * 258);
      Trainer trainer = new Trainer(model, TOK);
      double before = Perplexity.ofResponses(model, TOK, data, MANAGER.get());
      // Token-pooled over one batch, the response perplexity is exp of the trainer's loss.
      assertThat(Math.log(before)).isCloseTo(trainer.evaluate(data, MANAGER.get()), within(1e-4));
      var r =
          trainer.fineTune(
              new TuningMethod.Lora(
                  new LoraConfig(8, 16, 0, List.of("q_proj", "v_proj", "up_proj")), 94),
              data,
              TrainConfig.lora(2e-2, 30, 3, 95),
              MANAGER.get(),
              null);
      double after = Perplexity.ofResponses(model, TOK, data, MANAGER.get());
      assertThat(after).isLessThan(before / 2);
      r.trainable().close();
    }
  }
}
