package io.ascribe.inference.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.ascribe.inference.ClassManager;
import io.ascribe.inference.Generator;
import io.ascribe.inference.lora.LoraAdapter;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.safetensors.SafeTensorsFile;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.TrainConfig;
import io.ascribe.inference.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Adapters of every method saved alone and loaded back onto a base read from disk. */
class AdaptersTest {
  static final LlamaConfig TINY = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);
  static final ByteTokenizer TOK = new ByteTokenizer();
  static final List<Example> DATA =
      List.of(new Example("city: Lima\ncountry:", " peru"), new Example("city: Oslo", " norway"));
  static final Generator.Options GREEDY = Generator.Options.greedy(12);
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  @TempDir Path dir;
  Path base;

  @BeforeEach
  void writeBase() throws IOException {
    base = dir.resolve("base");
    ModelFactory.write(TINY, 7, base, MANAGER.get());
  }

  private static float[] logits(LlamaModel model, String text) {
    try (NDManager step = MANAGER.get().newSubManager()) {
      return model.forward(LlamaModel.ids(step, TOK.encode(text)), null, false).toFloatArray();
    }
  }

  @Test
  void aPrefixSavesInPeftLayoutAndReloads() throws IOException {
    Path out = dir.resolve("prefix");
    float[] tuned;
    float[] value;
    try (LlamaModel model = LlamaModel.load(base, MANAGER.get());
        Trainable prefix = new TuningMethod.PrefixTuning(3, 11).applyTo(model)) {
      tuned = logits(model, "city: Lima");
      // Layer 1's value prefix, KV head 1, position 2: (kv heads, length, head dim).
      value =
          prefix
              .namedParameters()
              .get("prefix.layers.1.value")
              .get(new NDIndex("1, 2"))
              .toFloatArray();
      Adapters.save(prefix, out);
    }
    try (SafeTensorsFile st = SafeTensorsFile.open(out.resolve(LoraAdapter.WEIGHTS_FILE))) {
      int hd = TINY.headDim();
      int kvh = TINY.numKeyValueHeads();
      int width = TINY.numHiddenLayers() * 2 * kvh * hd;
      assertThat(st.info("prompt_embeddings").shape()).containsExactly(3, width);
      float[] emb = st.floats("prompt_embeddings");
      // PEFT's view (length, layers·2, kv heads, head dim): layer 1, value (1), head 1.
      int at = 2 * width + ((1 * 2 + 1) * kvh + 1) * hd;
      assertThat(java.util.Arrays.copyOfRange(emb, at, at + hd)).containsExactly(value);
    }
    assertThat(Files.readString(out.resolve(LoraAdapter.CONFIG_FILE)))
        .contains("\"peft_type\" : \"PREFIX_TUNING\"", "\"num_virtual_tokens\" : 3");
    try (LlamaModel model = LlamaModel.load(base, MANAGER.get());
        Trainable prefix = Adapters.load(out, model)) {
      assertThat(prefix).isInstanceOf(PrefixAdapter.class);
      assertThat(logits(model, "city: Lima")).containsExactly(tuned);
    }
  }

  @Test
  void aQloraAdapterQuantisesTheBaseItIsLoadedOnto() throws IOException {
    Path out = dir.resolve("qlora");
    float[] tuned;
    String generated;
    try (LlamaModel model = LlamaModel.load(base, MANAGER.get())) {
      Trainer.Result r =
          new Trainer(model, TOK)
              .fineTune(
                  new TuningMethod.QLora(new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj")), 3),
                  DATA,
                  TrainConfig.lora(1e-2, 2, 2, 5),
                  MANAGER.get(),
                  null);
      tuned = logits(model, "city: Lima");
      generated = new Generator(model, TOK).generate("city: Lima", GREEDY, MANAGER.get()).text();
      Adapters.save(r.trainable(), out);
      r.trainable().close();
    }
    assertThat(Files.readString(out.resolve(LoraAdapter.CONFIG_FILE)))
        .contains("\"base_model_quantization\" : \"nf4-int8head\"");
    try (LlamaModel model = LlamaModel.load(base, MANAGER.get());
        Trainable lora = Adapters.load(out, model)) {
      assertThat(lora).isInstanceOf(LoraAdapter.class);
      assertThat(model.isQuantized()).isTrue();
      assertThat(model.quantizedWeight(LlamaModel.EMBEDDINGS).size()).isEqualTo(258 * 64);
      assertThat(logits(model, "city: Lima")).containsExactly(tuned);
      assertThat(new Generator(model, TOK).generate("city: Lima", GREEDY, MANAGER.get()).text())
          .isEqualTo(generated);
    }
    try (LlamaModel model = LlamaModel.load(base, MANAGER.get())) {
      assertThatThrownBy(() -> LoraAdapter.load(out, model))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("trained on an NF4-quantised base (QLoRA)");
    }
    // The CLI asks first and loads the base as NF4 directly: the same outputs.
    assertThat(Adapters.needsNf4Base(out)).isTrue();
    try (LlamaModel model = LlamaModel.load(base, MANAGER.get(), true);
        Trainable lora = Adapters.load(out, model)) {
      assertThat(lora).isInstanceOf(LoraAdapter.class);
      assertThat(logits(model, "city: Lima")).containsExactly(tuned);
    }
  }

  @Test
  void aFloatLoraAdapterIsRefusedOnAnNf4Base() throws IOException {
    Path out = dir.resolve("lora");
    try (LlamaModel model = LlamaModel.load(base, MANAGER.get());
        Trainable lora =
            new TuningMethod.Lora(new LoraConfig(4, 8, 0, List.of("q_proj")), 3).applyTo(model)) {
      Adapters.save(lora, out);
    }
    assertThat(Adapters.needsNf4Base(out)).isFalse();
    assertThat(Adapters.needsNf4Base(dir.resolve("nowhere"))).isFalse();
    try (LlamaModel model = LlamaModel.load(base, MANAGER.get(), true)) {
      assertThatThrownBy(() -> Adapters.load(out, model))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("trained on a float32 base, but this base is held in NF4");
    }
  }

  @Test
  void aQloraAdapterOfAnotherBaseFormIsRefusedBeforeTheBaseIsTouched() throws IOException {
    Path out = dir.resolve("qlora");
    try (LlamaModel model = LlamaModel.load(base, MANAGER.get())) {
      Trainable lora =
          new TuningMethod.QLora(new LoraConfig(4, 8, 0, List.of("q_proj")), 3).applyTo(model);
      Adapters.save(lora, out);
      lora.close();
    }
    Path cfg = out.resolve(LoraAdapter.CONFIG_FILE);
    String current = Files.readString(cfg);
    // "nf4" is what adapters trained on NF4 projections over float32 embeddings and head say.
    Files.writeString(cfg, current.replace("\"nf4-int8head\"", "\"nf4\""));
    try (LlamaModel model = LlamaModel.load(base, MANAGER.get())) {
      assertThatThrownBy(() -> Adapters.load(out, model))
          .isInstanceOf(ModelException.class)
          .hasMessageStartingWith(cfg.toString())
          .hasMessageContaining("\"nf4\" is an older QLoRA base")
          .hasMessageContaining("retrain it with `ascribe tune --method qlora`");
      assertThat(model.isQuantized()).isFalse();
      assertThatThrownBy(() -> LoraAdapter.load(out, model))
          .hasMessageContaining("is an older QLoRA base");
      // "nf4-all" is what adapters trained with the untied head in NF4 too say.
      Files.writeString(cfg, current.replace("\"nf4-int8head\"", "\"nf4-all\""));
      assertThatThrownBy(() -> Adapters.load(out, model))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("\"nf4-all\" is an older QLoRA base (every matrix in NF4")
          .hasMessageContaining("\"nf4-int8head\"");
      assertThat(model.isQuantized()).isFalse();
      Files.writeString(cfg, current.replace("\"nf4-int8head\"", "\"int8\""));
      assertThatThrownBy(() -> Adapters.load(out, model))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("\"int8\" is not a base form this program runs (\"nf4-int8head\"");
      assertThat(model.isQuantized()).isFalse();
    }
  }

  @Test
  void whatIsNotAnAdapterIsNamed() throws IOException {
    try (LlamaModel model = LlamaModel.load(base, MANAGER.get())) {
      assertThatThrownBy(() -> Adapters.load(base, model))
          .isInstanceOf(ModelException.class)
          .hasMessage(
              base
                  + " holds a whole model (full fine-tuning), not an adapter; pass it as the base");
      Path odd = Files.createDirectories(dir.resolve("odd"));
      Files.writeString(odd.resolve(LoraAdapter.CONFIG_FILE), "{\"peft_type\": \"IA3\"}");
      assertThatThrownBy(() -> Adapters.load(odd, model))
          .hasMessageContaining("peft_type 'IA3' is not one this program runs");
      assertThatThrownBy(
              () -> Adapters.save(new TuningMethod.AllWeights(model.weights()), dir.resolve("x")))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
