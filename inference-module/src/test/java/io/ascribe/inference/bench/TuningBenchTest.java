package io.ascribe.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pretrained base's cache: which settings make another base, and what a stale one gets. */
class TuningBenchTest {
  @Test
  void theCacheNameChangesWithEveryPretrainingSetting() {
    TuningBench.Settings s = TuningBench.Settings.full();
    assertThat(s.baseName())
        .isEqualTo(
            "base-kjv-h"
                + TuningBench.baseConfig().hiddenSize()
                + "-lr"
                + TuningBench.PRETRAIN_LEARNING_RATE
                + "-400x16x128-s1");
    assertThat(s.withPretrainSteps(10).baseName()).isNotEqualTo(s.baseName());
    // Fine-tuning settings share the base.
    assertThat(s.withTuneSeed(2).baseName()).isEqualTo(s.baseName());
  }

  @Test
  void aCachedBaseOfAnotherShapeIsRefusedNamingTheDirectory(@TempDir Path work) throws IOException {
    TuningBench.Settings s = TuningBench.Settings.quick();
    Path dir = work.resolve(s.baseName());
    Files.createDirectories(dir);
    LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE).write(dir.resolve(LlamaModel.CONFIG_FILE));
    Files.writeString(dir.resolve("pretrain.json"), "{}");
    List<String> log = new ArrayList<>();
    assertThatThrownBy(() -> TuningBench.pretrain(work, s, log::add))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("delete it");
    assertThat(log).isEmpty();
  }
}
