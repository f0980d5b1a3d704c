package io.ascribe.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.ascribe.inference.ClassManager;
import io.ascribe.inference.safetensors.SafeTensorsWriter;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class LlamaModelTest {
  static final LlamaConfig TINY = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  @TempDir Path dir;

  private static float[] logits(LlamaModel model, int[] tokens) {
    try (NDManager step = MANAGER.get().newSubManager()) {
      return model.forward(LlamaModel.ids(step, tokens), null, false).toFloatArray();
    }
  }

  @Test
  void sameSeedSameWeightsAndLogits() {
    int[] tokens = new ByteTokenizer().encode("hello world");
    try (LlamaModel a = ModelFactory.create(TINY, 7, MANAGER.get());
        LlamaModel b = ModelFactory.create(TINY, 7, MANAGER.get());
        LlamaModel c = ModelFactory.create(TINY, 8, MANAGER.get())) {
      float[] la = logits(a, tokens);
      assertThat(la).hasSize(tokens.length * TINY.vocabSize());
      assertThat(logits(b, tokens)).containsExactly(la);
      assertThat(logits(c, tokens)).isNotEqualTo(la);
    }
  }

  @Test
  void causal_laterTokensDoNotChangeEarlierLogits() {
    try (LlamaModel model = ModelFactory.create(TINY, 1, MANAGER.get())) {
      float[] full = logits(model, new int[] {1, 2, 3, 4, 5});
      float[] prefix = logits(model, new int[] {1, 2, 3});
      for (int i = 0; i < prefix.length; i++) {
        assertThat(full[i]).isCloseTo(prefix[i], org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
  }

  @Test
  void kvCacheGivesTheSameLogitsAsTheFullSequence() {
    int[] tokens = new ByteTokenizer().encode("the quick brown fox");
    try (LlamaModel model = ModelFactory.create(TINY, 3, MANAGER.get());
        KvCache cache = model.newCache(MANAGER.get())) {
      float[] full = logits(model, tokens);
      int v = TINY.vocabSize();
      int split = 11;
      try (NDManager step = MANAGER.get().newSubManager()) {
        int[] head = java.util.Arrays.copyOf(tokens, split);
        float[] first = model.forward(LlamaModel.ids(step, head), cache, false).toFloatArray();
        assertThat(cache.length()).isEqualTo(split);
        for (int i = 0; i < first.length; i++) {
          assertThat(first[i]).isCloseTo(full[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
      }
      for (int pos = split; pos < tokens.length; pos++) {
        try (NDManager step = MANAGER.get().newSubManager()) {
          float[] one =
              model
                  .forward(LlamaModel.ids(step, new int[] {tokens[pos]}), cache, false)
                  .toFloatArray();
          for (int j = 0; j < v; j++) {
            assertThat(one[j])
                .isCloseTo(full[pos * v + j], org.assertj.core.data.Offset.offset(1e-5f));
          }
        }
      }
      assertThat(cache.length()).isEqualTo(tokens.length);
    }
  }

  @Test
  void savesAndLoadsAsAHuggingFaceDirectory() throws IOException {
    int[] tokens = {72, 105, 33};
    for (boolean tied : new boolean[] {false, true}) {
      LlamaConfig config = TINY.withTiedEmbeddings(tied);
      Path out = dir.resolve("m" + tied);
      try (LlamaModel model = ModelFactory.create(config, 5, MANAGER.get())) {
        model.save(out);
        try (LlamaModel loaded = LlamaModel.load(out, MANAGER.get())) {
          assertThat(loaded.config()).isEqualTo(config);
          assertThat(logits(loaded, tokens)).containsExactly(logits(model, tokens));
          assertThat(loaded.weights().containsKey("lm_head.weight")).isEqualTo(!tied);
        }
      }
      assertThat(Files.readString(out.resolve("config.json")))
          .contains("\"model_type\" : \"llama\"", "\"num_key_value_heads\" : 2");
    }
  }

  @Test
  void loadingAsNf4GivesTheBaseThatQuantisingAfterLoadingGives() throws IOException {
    int[] tokens = {72, 105, 33};
    for (boolean tied : new boolean[] {false, true}) {
      LlamaConfig config = TINY.withTiedEmbeddings(tied);
      Path out = dir.resolve("q" + tied);
      try (LlamaModel model = ModelFactory.create(config, 9, MANAGER.get())) {
        model.save(out);
      }
      try (LlamaModel after = LlamaModel.load(out, MANAGER.get());
          LlamaModel onLoad = LlamaModel.load(out, MANAGER.get(), true)) {
        after.quantizeNf4();
        assertThat(onLoad.isQuantized()).isTrue();
        // The same weights in the same order (full fine-tuning's optimiser state follows it).
        assertThat(List.copyOf(onLoad.weights().keySet()))
            .isEqualTo(List.copyOf(after.weights().keySet()));
        for (String name : after.weights().keySet()) {
          assertThat(onLoad.weight(name).toFloatArray())
              .containsExactly(after.weight(name).toFloatArray());
        }
        for (String name : LlamaModel.expectedShapes(config).keySet()) {
          if (after.weights().containsKey(name) || name.equals(LlamaModel.HEAD)) {
            continue;
          }
          var a = after.quantizedWeight(name);
          var b = onLoad.quantizedWeight(name);
          assertThat(b.packed()).as(name).containsExactly(a.packed());
          assertThat(b.scaleCodes()).as(name).containsExactly(a.scaleCodes());
          assertThat(b.scaleScales()).as(name).containsExactly(a.scaleScales());
          assertThat(b.scaleOffset()).as(name).isEqualTo(a.scaleOffset());
        }
        if (!tied) {
          assertThat(onLoad.int8Weight(LlamaModel.HEAD).codes())
              .containsExactly(after.int8Weight(LlamaModel.HEAD).codes());
          assertThat(onLoad.int8Weight(LlamaModel.HEAD).scales())
              .containsExactly(after.int8Weight(LlamaModel.HEAD).scales());
        }
        assertThat(onLoad.baseWeightBytes()).isEqualTo(after.baseWeightBytes());
        assertThat(onLoad.sha256()).isEqualTo(after.sha256());
        assertThat(logits(onLoad, tokens)).containsExactly(logits(after, tokens));
      }
    }
    // Weights that do not fit the config are refused as in a float32 load.
    Path out = dir.resolve("qfalse");
    new LlamaConfig(64, 256, 2, 4, 2, ByteTokenizer.VOCAB_SIZE, 1e-5, 10000, 256, false)
        .write(out.resolve("config.json"));
    assertThatThrownBy(() -> LlamaModel.load(out, MANAGER.get(), true))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("mlp.down_proj.weight has shape [64, 128]");
  }

  @Test
  void refusesWeightsThatDoNotMatchTheConfig() throws IOException {
    Path out = dir.resolve("m");
    try (LlamaModel model = ModelFactory.create(TINY, 5, MANAGER.get())) {
      model.save(out);
    }
    LlamaConfig bigger =
        new LlamaConfig(64, 256, 2, 4, 2, ByteTokenizer.VOCAB_SIZE, 1e-5, 10000, 256, false);
    bigger.write(out.resolve("config.json"));
    assertThatThrownBy(() -> LlamaModel.load(out, MANAGER.get()))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("mlp.down_proj.weight has shape [64, 128]")
        .hasMessageContaining("implies [64, 256]");

    TINY.withTiedEmbeddings(false).write(out.resolve("config.json"));
    SafeTensorsWriter.write(
        out.resolve("model.safetensors"),
        Map.of(),
        List.of(SafeTensorsWriter.Tensor.f32("model.norm.weight", new long[] {64}, new float[64])));
    assertThatThrownBy(() -> LlamaModel.load(out, MANAGER.get()))
        .hasMessageContaining("missing weight model.embed_tokens.weight");
    Files.delete(out.resolve("model.safetensors"));
    assertThatThrownBy(() -> LlamaModel.load(out, MANAGER.get()))
        .hasMessageContaining("no model.safetensors");
  }

  @Test
  void refusesAMissingOrInconsistentConfig() throws IOException {
    assertThatThrownBy(() -> LlamaConfig.read(dir.resolve("config.json")))
        .hasMessageContaining("no config.json");
    Path f = dir.resolve("config.json");
    Files.writeString(f, "{\"hidden_size\": 64");
    assertThatThrownBy(() -> LlamaConfig.read(f)).hasMessageContaining("not valid JSON");
    Files.writeString(
        f,
        "{\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,"
            + "\"num_attention_heads\":4,\"num_key_value_heads\":3,\"vocab_size\":10}");
    assertThatThrownBy(() -> LlamaConfig.read(f))
        .hasMessageContaining("num_attention_heads 4 is not a multiple of num_key_value_heads 3");
    Files.writeString(f, "{\"hidden_size\":64,\"num_attention_heads\":4}");
    assertThatThrownBy(() -> LlamaConfig.read(f)).hasMessageContaining("missing intermediate_size");
    Files.writeString(f, "{\"model_type\":\"gpt2\"}");
    assertThatThrownBy(() -> LlamaConfig.read(f)).hasMessageContaining("'gpt2' is not 'llama'");
    Files.writeString(
        f,
        "{\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,"
            + "\"num_attention_heads\":4,\"vocab_size\":10,\"rope_scaling\":{\"type\":\"linear\"}}");
    assertThatThrownBy(() -> LlamaConfig.read(f)).hasMessageContaining("rope_scaling");
    // HF defaults for what a minimal config leaves out.
    Files.writeString(
        f,
        "{\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,"
            + "\"num_attention_heads\":4,\"vocab_size\":10}");
    LlamaConfig c = LlamaConfig.read(f);
    assertThat(c.numKeyValueHeads()).isEqualTo(4);
    assertThat(c.rmsNormEps()).isEqualTo(1e-6);
    assertThat(c.tieWordEmbeddings()).isFalse();
  }

  @Test
  void refusesASequenceLongerThanTheContext() {
    try (LlamaModel model = ModelFactory.create(TINY, 1, MANAGER.get());
        NDManager step = MANAGER.get().newSubManager()) {
      NDArray ids = LlamaModel.ids(step, new int[TINY.maxPositionEmbeddings() + 1]);
      assertThatThrownBy(() -> model.forward(ids, null, false))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("257 tokens is longer than the context of 256");
      assertThat(ids.get(new NDIndex("0, 0")).getLong()).isZero();
    }
  }

  @Test
  void theUnpaddedForwardRefusesLengthsThatDoNotFitTheBatch() {
    try (LlamaModel model = ModelFactory.create(TINY, 1, MANAGER.get());
        NDManager step = MANAGER.get().newSubManager()) {
      NDArray ids = LlamaModel.ids(step, List.of(new int[] {1, 2, 3}, new int[] {4, 5}), 0);
      assertThatThrownBy(() -> model.forwardUnpadded(ids, new int[] {3}, false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1 lengths for a batch of shape (2, 3); need one per row");
      assertThatThrownBy(() -> model.forwardUnpadded(ids, new int[] {3, 4}, false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a row length of 4 in a batch 3 wide; need 1 to 3");
      assertThatThrownBy(() -> model.forwardUnpadded(ids, new int[] {3, 0}, false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a row length of 0");
      assertThat(model.forwardUnpadded(ids, new int[] {3, 2}, false).getShape().getShape())
          .containsExactly(5, TINY.vocabSize());
    }
  }
}
