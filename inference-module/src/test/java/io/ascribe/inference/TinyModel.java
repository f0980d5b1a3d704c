package io.ascribe.inference;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The tests' small model: {@link LlamaConfig#tiny} over the byte tokenizer (hidden 64, 2 layers),
 * random-initialised from a seed, written as a model directory (no tokenizer file, so the byte
 * tokenizer is used) for code that opens models from disk.
 */
public final class TinyModel {
  public static final LlamaConfig CONFIG = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);

  private TinyModel() {}

  /** Writes the tiny model drawn from {@code seed} into {@code dir} and returns {@code dir}. */
  public static Path write(Path dir, long seed) {
    try (NDManager m = NDManager.newBaseManager(Torch.ENGINE)) {
      ModelFactory.write(CONFIG, seed, dir, m);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
