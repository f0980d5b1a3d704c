package io.ascribe.inference.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.inference.ClassManager;
import io.ascribe.inference.Generator;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.TrainConfig;
import io.ascribe.inference.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class LoraTest {
  static final LlamaConfig TINY = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);
  static final ByteTokenizer TOK = new ByteTokenizer();
  static final LoraConfig ALL =
      new LoraConfig(8, 16, 0, List.of("q_proj", "k_proj", "v_proj", "o_proj", "up_proj"));
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  @TempDir Path dir;

  /** A synthetic task: each city's prompt maps to its country, in a fixed format. */
  static List<Example> dataset() {
    String[][] pairs = {
      {"Paris", "France"}, {"Rome", "Italy"}, {"Lima", "Peru"}, {"Oslo", "Norway"},
      {"Cairo", "Egypt"}, {"Quito", "Ecuador"}, {"Seoul", "Korea"}, {"Bern", "Swiss"}
    };
    List<Example> out = new ArrayList<>();
    for (String[] p : pairs) {
      out.add(new Example("city: " + p[0] + "\ncountry:", " " + p[1].toLowerCase()));
    }
    return out;
  }

  private static float[] logits(LlamaModel model, String text) {
    try (NDManager step = MANAGER.get().newSubManager()) {
      return model.forward(LlamaModel.ids(step, TOK.encode(text)), null, false).toFloatArray();
    }
  }

  private static List<Double> train(LlamaModel model, LoraAdapter lora, int steps, long seed) {
    model.attach(lora);
    return new Trainer(model, TOK)
        .train(
            lora.parameters(),
            dataset(),
            TrainConfig.lora(1e-2, steps, 8, seed),
            MANAGER.get(),
            null);
  }

  @Test
  void freshAdapterLeavesTheModelUnchangedAndTrainingLowersTheLoss() {
    try (LlamaModel model = ModelFactory.create(TINY, 11, MANAGER.get());
        LoraAdapter lora = LoraAdapter.create(model, ALL, 12)) {
      float[] before = logits(model, "city: Rome");
      model.attach(lora);
      assertThat(logits(model, "city: Rome")).containsExactly(before);
      assertThat(lora.parameterCount())
          .isEqualTo(2L * (8 * 64 * 5 + (64 + 32 + 32 + 64 + 128) * 8));

      double start = new Trainer(model, TOK).evaluate(dataset(), MANAGER.get());
      assertThat(start).isCloseTo(Math.log(ByteTokenizer.VOCAB_SIZE), within(0.2));
      List<Double> losses = train(model, lora, 60, 3);
      double end = new Trainer(model, TOK).evaluate(dataset(), MANAGER.get());
      // A random base caps what LoRA alone can reach: the frozen LM head (std 0.02) bounds the
      // logits near ±1.3, so the bar is a clear fall from ln(vocab), not a fit.
      assertThat(end).as("losses %s", losses).isLessThan(start - 0.5);
      assertThat(losses.getLast()).isLessThan(losses.getFirst());
    }
  }

  @Test
  void seededRunsRepeatBitForBit() {
    LoraConfig withDropout = new LoraConfig(4, 8, 0.1, List.of("q_proj", "v_proj"));
    List<List<Double>> runs = new ArrayList<>();
    List<float[]> outputs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (LlamaModel model = ModelFactory.create(TINY, 21, MANAGER.get());
          LoraAdapter lora = LoraAdapter.create(model, withDropout, 22)) {
        runs.add(train(model, lora, 6, 23));
        outputs.add(logits(model, "city: Oslo"));
      }
    }
    assertThat(runs.get(1)).isEqualTo(runs.get(0));
    assertThat(outputs.get(1)).containsExactly(outputs.get(0));
  }

  @Test
  void mergedAndUnmergedGiveTheSameLogitsAndTokens() {
    try (LlamaModel model = ModelFactory.create(TINY, 31, MANAGER.get());
        LoraAdapter lora = LoraAdapter.create(model, ALL, 32)) {
      float[] base = logits(model, "city: Lima\ncountry:");
      train(model, lora, 40, 33);
      float[] unmerged = logits(model, "city: Lima\ncountry:");
      int[] prompt = TOK.encode("city: Lima\ncountry:");
      int[] tokensUnmerged =
          new Generator(model).greedy(prompt, 12, TOK.eos(), true, MANAGER.get());

      lora.merge();
      assertThat(lora.merged()).isTrue();
      float[] merged = logits(model, "city: Lima\ncountry:");
      for (int i = 0; i < merged.length; i++) {
        assertThat(merged[i]).isCloseTo(unmerged[i], within(1e-4f));
      }
      assertThat(new Generator(model).greedy(prompt, 12, TOK.eos(), true, MANAGER.get()))
          .containsExactly(tokensUnmerged);
      assertThatThrownBy(lora::merge).isInstanceOf(IllegalStateException.class);

      lora.unmerge();
      model.detach();
      float[] restored = logits(model, "city: Lima\ncountry:");
      for (int i = 0; i < restored.length; i++) {
        assertThat(restored[i]).isCloseTo(base[i], within(1e-5f));
      }
    }
  }

  @Test
  void adapterSavesAloneAndReloadsOntoTheSameBase() throws IOException {
    Path out = dir.resolve("adapter");
    float[] trained;
    try (LlamaModel model = ModelFactory.create(TINY, 41, MANAGER.get());
        LoraAdapter lora = LoraAdapter.create(model, ALL, 42)) {
      train(model, lora, 10, 43);
      trained = logits(model, "city: Bern");
      lora.save(out);
    }
    assertThat(Files.list(out).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("adapter_model.safetensors", "adapter_config.json");
    assertThat(Files.readString(out.resolve("adapter_config.json")))
        .contains("\"peft_type\" : \"LORA\"", "\"r\" : 8", "\"lora_alpha\" : 16.0");
    try (LlamaModel model = ModelFactory.create(TINY, 41, MANAGER.get());
        LoraAdapter lora = LoraAdapter.load(out, model)) {
      assertThat(lora.config()).isEqualTo(ALL);
      model.attach(lora);
      assertThat(logits(model, "city: Bern")).containsExactly(trained);
    }
    LlamaConfig other =
        new LlamaConfig(64, 96, 2, 4, 2, ByteTokenizer.VOCAB_SIZE, 1e-5, 10000, 256, false);
    try (LlamaModel model = ModelFactory.create(other, 41, MANAGER.get())) {
      assertThatThrownBy(() -> LoraAdapter.load(out, model))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("an adapter for another base?");
    }
  }

  @Test
  void anAdapterNamesItsBaseByHashAndIsRefusedOnAnother() throws IOException {
    Path baseA = dir.resolve("a");
    Path baseB = dir.resolve("b");
    ModelFactory.write(TINY, 1, baseA, MANAGER.get());
    ModelFactory.write(TINY, 2, baseB, MANAGER.get()); // same shapes, other weights
    Path out = dir.resolve("adapter");
    String hashA;
    try (LlamaModel a = LlamaModel.load(baseA, MANAGER.get());
        LoraAdapter lora = LoraAdapter.create(a, ALL, 3)) {
      hashA = a.sha256();
      lora.save(out);
    }
    assertThat(hashA).matches("[0-9a-f]{64}");
    Path copy = Files.createDirectories(dir.resolve("copy"));
    for (String f : List.of(LlamaModel.CONFIG_FILE, LlamaModel.WEIGHTS_FILE)) {
      Files.copy(baseA.resolve(f), copy.resolve(f));
    }
    try (LlamaModel again = LlamaModel.load(copy, MANAGER.get());
        LoraAdapter lora = LoraAdapter.load(out, again)) {
      assertThat(again.sha256()).as("same files, same hash").isEqualTo(hashA);
      assertThat(lora.config()).isEqualTo(ALL);
    }
    Path config = out.resolve(LoraAdapter.CONFIG_FILE);
    assertThat(Files.readString(config)).contains("\"base_model_sha256\" : \"" + hashA + "\"");
    try (LlamaModel b = LlamaModel.load(baseB, MANAGER.get())) {
      assertThat(b.sha256()).isNotEqualTo(hashA);
      assertThatThrownBy(() -> LoraAdapter.load(out, b))
          .isInstanceOf(ModelException.class)
          .hasMessage(
              out
                  + " is an adapter for another base model (sha256 "
                  + hashA
                  + "), not for "
                  + baseB
                  + " (sha256 "
                  + b.sha256()
                  + "); pass the base it was trained on");
      ObjectNode json = (ObjectNode) new ObjectMapper().readTree(config.toFile());
      json.remove("base_model_sha256");
      Files.writeString(config, json.toString());
      assertThatThrownBy(() -> LoraAdapter.load(out, b))
          .hasMessageContaining("does not say which base model it was trained on")
          .hasMessageContaining("add \"base_model_sha256\": \"" + b.sha256() + "\"");
    }
  }

  @Test
  void refusesBadConfigs() {
    assertThatThrownBy(() -> new LoraConfig(0, 16, 0, List.of("q_proj")))
        .hasMessageContaining("rank must be positive, got 0");
    assertThatThrownBy(() -> new LoraConfig(4, 16, 0, List.of("qkv")))
        .hasMessageContaining("'qkv' is not one of");
    assertThatThrownBy(() -> new LoraConfig(4, 16, 1.0, List.of("q_proj")))
        .hasMessageContaining("dropout");
  }

  @Test
  void greedyWithTheKvCacheMatchesGreedyWithout() {
    try (LlamaModel model = ModelFactory.create(TINY, 51, MANAGER.get());
        LoraAdapter lora = LoraAdapter.create(model, ALL, 52)) {
      train(model, lora, 30, 53);
      Generator g = new Generator(model);
      for (String p : List.of("city: Paris\ncountry:", "city: Quito\ncountry:")) {
        int[] prompt = TOK.encode(p);
        int[] cached = g.greedy(prompt, 24, TOK.eos(), true, MANAGER.get());
        int[] plain = g.greedy(prompt, 24, TOK.eos(), false, MANAGER.get());
        assertThat(cached).isNotEmpty().containsExactly(plain);
      }
      assertThatThrownBy(() -> g.greedy(new int[300], 4, TOK.eos(), true, MANAGER.get()))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("prompt of 300 tokens is longer than the context of 256");
    }
  }
}
