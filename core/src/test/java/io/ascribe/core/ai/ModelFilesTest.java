package io.ascribe.core.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.Keccak;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
  @TempDir Path dir;

  private void write(String name, String content) throws Exception {
    Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  void aSingleWeightsFileIsHashedWithTheConfigAndNamesTheArchitecture() throws Exception {
    write("config.json", "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\"}");
    write("model.safetensors", "weights");

    ModelFiles files = ModelFiles.in(dir);

    assertThat(files.architecture()).isEqualTo("LlamaForCausalLM");
    assertThat(files.configHash())
        .isEqualTo(Keccak.hash(Files.readAllBytes(dir.resolve("config.json"))));
    assertThat(files.weightsHash())
        .isEqualTo(Keccak.hash(Keccak.hash("weights".getBytes(StandardCharsets.UTF_8)).toArray()));
  }

  @Test
  void shardsAreHashedInNameOrderWhateverTheIndexOrder() throws Exception {
    write("config.json", "{\"model_type\":\"llama\"}");
    write(
        "model.safetensors.index.json",
        "{\"weight_map\":{\"a\":\"model-00002-of-00002.safetensors\","
            + "\"b\":\"model-00001-of-00002.safetensors\",\"c\":\"model-00002-of-00002.safetensors\"}}");
    write("model-00001-of-00002.safetensors", "one");
    write("model-00002-of-00002.safetensors", "two");

    ModelFiles files = ModelFiles.in(dir);

    assertThat(files.architecture()).isEqualTo("llama");
    assertThat(files.weights())
        .containsExactly(
            dir.resolve("model-00001-of-00002.safetensors"),
            dir.resolve("model-00002-of-00002.safetensors"));
    assertThat(files.weightsHash())
        .isEqualTo(
            Keccak.hash(
                Keccak.hash("one".getBytes(StandardCharsets.UTF_8)).toArray(),
                Keccak.hash("two".getBytes(StandardCharsets.UTF_8)).toArray()));
  }

  @Test
  void missingPiecesAreNamed() throws Exception {
    assertThatThrownBy(() -> ModelFiles.in(dir)).hasMessageContaining("has no config.json");
    write("config.json", "{\"hidden_size\":8}");
    write("model.safetensors", "w");
    assertThatThrownBy(() -> ModelFiles.in(dir)).hasMessageContaining("names no architecture");
    write("config.json", "{\"model_type\":\"llama\"}");
    Files.delete(dir.resolve("model.safetensors"));
    assertThatThrownBy(() -> ModelFiles.in(dir)).hasMessageContaining("the weights are missing");
    write("model.safetensors.index.json", "{\"weight_map\":{\"a\":\"gone.safetensors\"}}");
    assertThatThrownBy(() -> ModelFiles.in(dir))
        .hasMessageContaining("names the shard \"gone.safetensors\", which is not a file");
  }
}
