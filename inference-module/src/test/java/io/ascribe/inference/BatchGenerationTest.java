package io.ascribe.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import io.ascribe.inference.lora.LoraAdapter;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.tuning.PrefixAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BatchGenerationTest {
  static final LlamaConfig TINY = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);
  static final ByteTokenizer TOK = new ByteTokenizer();
  static final List<String> PROMPTS =
      List.of("city: Quito\ncountry:", "hi", "the longest prompt of the three, by far:");
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  /**
   * Per-prompt options: greedy with different budgets, and the first prompt with a stop sequence
   * cut from its own continuation alone, so it stops early in the batch.
   */
  private static List<Generator.Prompt> prompts(Generator g, boolean useCache) {
    String stop = g.generate(PROMPTS.get(0), Generator.Options.greedy(20), MANAGER.get()).text();
    assertThat(stop).hasSizeGreaterThan(10);
    List<Generator.Options> options =
        List.of(
            new Generator.Options(
                20, new Sampling.Greedy(), List.of(stop.substring(8, 10)), useCache),
            new Generator.Options(7, new Sampling.Greedy(), List.of(), useCache),
            new Generator.Options(24, new Sampling.Greedy(), List.of(), useCache));
    List<Generator.Prompt> out = new ArrayList<>();
    for (int i = 0; i < PROMPTS.size(); i++) {
      out.add(g.prompt(PROMPTS.get(i), options.get(i)));
    }
    return out;
  }

  /** Each prompt's batched result equals its result alone, tokens, text and reason. */
  private static List<Generator.Result> assertBatchEqualsAlone(LlamaModel model) {
    Generator g = new Generator(model, TOK);
    List<Generator.Result> alone = new ArrayList<>();
    for (Generator.Prompt p : prompts(g, true)) {
      alone.add(g.generate(p.ids(), p.options(), MANAGER.get()));
    }
    assertThat(alone)
        .extracting(Generator.Result::reason)
        .containsExactly(
            Generator.StopReason.STOP_SEQUENCE,
            Generator.StopReason.LENGTH,
            Generator.StopReason.LENGTH);
    assertThat(alone.get(0).tokens().length).isLessThan(20);
    assertThat(alone.get(1).tokens()).hasSize(7);
    for (boolean useCache : new boolean[] {true, false}) {
      List<Generator.Result> batch = g.generateBatch(prompts(g, useCache), MANAGER.get());
      assertThat(batch).hasSize(3);
      for (int i = 0; i < 3; i++) {
        assertThat(batch.get(i).tokens())
            .as("prompt %d, cache %s", i, useCache)
            .containsExactly(alone.get(i).tokens());
        assertThat(batch.get(i).text()).isEqualTo(alone.get(i).text());
        assertThat(batch.get(i).reason()).isEqualTo(alone.get(i).reason());
      }
    }
    return alone;
  }

  @Test
  void greedyBatchOfThreePromptsGivesEachItsTokensAlone() {
    try (LlamaModel model = ModelFactory.create(TINY, 71, MANAGER.get())) {
      assertBatchEqualsAlone(model);
    }
  }

  @Test
  void sameWithAnUnmergedLoraAdapterAndWithAPrefix() {
    try (LlamaModel model = ModelFactory.create(TINY, 72, MANAGER.get())) {
      List<Generator.Result> base = assertBatchEqualsAlone(model);
      try (LoraAdapter lora =
          LoraAdapter.create(model, new LoraConfig(4, 16, 0, LlamaModel.PROJECTIONS), 73)) {
        // B is zero in a fresh adapter: seeded values make the adapter change the output.
        Random random = new Random(74);
        for (Map.Entry<String, NDArray> e : lora.namedParameters().entrySet()) {
          if (e.getKey().endsWith("lora_B.weight")) {
            float[] b = new float[Math.toIntExact(e.getValue().size())];
            for (int i = 0; i < b.length; i++) {
              b[i] = (float) (random.nextGaussian() * 0.05);
            }
            e.getValue().set(b);
          }
        }
        model.attach(lora);
        assertThat(lora.merged()).isFalse();
        List<Generator.Result> adapted = assertBatchEqualsAlone(model);
        assertThat(adapted.get(2).tokens()).isNotEqualTo(base.get(2).tokens());
      }
      try (PrefixAdapter prefix = PrefixAdapter.create(model, 4, 75)) {
        model.attach(prefix);
        assertBatchEqualsAlone(model);
      }
    }
  }

  @Test
  void sampledSequencesDrawFromTheirOwnSeeds() {
    try (LlamaModel model = ModelFactory.create(TINY, 76, MANAGER.get())) {
      Generator g = new Generator(model, TOK);
      List<Generator.Prompt> prompts = new ArrayList<>();
      for (int i = 0; i < PROMPTS.size(); i++) {
        prompts.add(
            g.prompt(
                PROMPTS.get(i),
                new Generator.Options(
                    16, new Sampling.Sampled(1.2, 0, 0.95, 80 + i), List.of(), true)));
      }
      List<Generator.Result> batch = g.generateBatch(prompts, MANAGER.get());
      for (int i = 0; i < prompts.size(); i++) {
        Generator.Prompt p = prompts.get(i);
        assertThat(batch.get(i).tokens())
            .containsExactly(g.generate(p.ids(), p.options(), MANAGER.get()).tokens());
      }
      // The same options for every prompt: the text form adds BOS as generate(String) does.
      List<Generator.Result> same =
          g.generateBatch(PROMPTS, Generator.Options.greedy(5), MANAGER.get());
      for (int i = 0; i < PROMPTS.size(); i++) {
        assertThat(same.get(i).tokens())
            .containsExactly(
                g.generate(PROMPTS.get(i), Generator.Options.greedy(5), MANAGER.get()).tokens());
      }
    }
  }

  @Test
  void refusesMixedCacheSettingsAndPromptsPastTheContext() {
    try (LlamaModel model = ModelFactory.create(TINY, 77, MANAGER.get())) {
      Generator g = new Generator(model, TOK);
      Generator.Options cached = Generator.Options.greedy(4);
      Generator.Options plain = new Generator.Options(4, new Sampling.Greedy(), List.of(), false);
      assertThatThrownBy(
              () ->
                  g.generateBatch(
                      List.of(g.prompt("a", cached), g.prompt("b", plain)), MANAGER.get()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("give every prompt the same useCache");
      assertThatThrownBy(
              () ->
                  g.generateBatch(
                      List.of(g.prompt("a", cached), new Generator.Prompt(new int[300], cached)),
                      MANAGER.get()))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("prompt of 300 tokens is longer than the context of 256");
      // A sequence near the end of the context stops there while a short one goes on.
      int[] nearEnd = new int[254];
      nearEnd[0] = TOK.bos();
      List<Generator.Result> r =
          g.generateBatch(
              List.of(
                  new Generator.Prompt(nearEnd, Generator.Options.greedy(10)),
                  g.prompt("hi", Generator.Options.greedy(10))),
              MANAGER.get());
      assertThat(r.get(0).tokens()).hasSize(2);
      assertThat(r.get(1).tokens()).hasSize(10);
      assertThat(g.generateBatch(List.<Generator.Prompt>of(), MANAGER.get())).isEmpty();
    }
  }
}
