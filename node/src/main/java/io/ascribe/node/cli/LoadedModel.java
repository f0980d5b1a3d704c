package io.ascribe.node.cli;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tokenizer.Tokenizer;
import io.ascribe.inference.tokenizer.Tokenizers;
import io.ascribe.inference.tuning.Adapters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A base model directory loaded for a command: the model on DJL's default device, its tokenizer
 * ({@code tokenizer.json}, or bytes) and optionally an adapter. Closing frees all of it.
 */
final class LoadedModel implements AutoCloseable {
  final Path dir;
  final NDManager manager;
  final LlamaModel model;
  final Tokenizer tokenizer;
  private Trainable adapter;

  private LoadedModel(Path dir, NDManager manager, LlamaModel model, Tokenizer tokenizer) {
    this.dir = dir;
    this.manager = manager;
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /**
   * Loads the model in {@code dir} (the {@code --base} option) and attaches the adapter in {@code
   * adapterDir} (the {@code --adapter} option; null for none). A QLoRA adapter's base is quantised
   * as it loads, as {@code ascribe tune} loaded it.
   */
  static LoadedModel withAdapter(Path dir, Path adapterDir) {
    LoadedModel m = open(dir, adapterDir != null && Adapters.needsNf4Base(adapterDir));
    if (adapterDir != null) {
      try {
        m.attach(adapterDir);
      } catch (RuntimeException e) {
        m.close();
        throw e;
      }
    }
    return m;
  }

  /**
   * Loads the model in {@code dir} (the {@code --base} option), quantised to QLoRA's base as it
   * loads with {@code nf4}.
   */
  static LoadedModel open(Path dir, boolean nf4) {
    if (!Files.isDirectory(dir)) {
      throw new UserErrorException(
          "--base " + dir + ": no such directory; make one with ascribe model create");
    }
    NDManager manager = Torch.engine().newBaseManager();
    LlamaModel model = null;
    try {
      model = LlamaModel.load(dir, manager, nf4);
      Tokenizer tokenizer = Tokenizers.forModel(dir, model.config().vocabSize());
      return new LoadedModel(dir, manager, model, tokenizer);
    } catch (IOException e) {
      manager.close();
      throw new UserErrorException("cannot read the model in " + dir + ": " + e.getMessage());
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  // Loads the adapter in adapterDir onto the model (checking it was made for it).
  private void attach(Path adapterDir) {
    if (!Files.isDirectory(adapterDir)) {
      throw new UserErrorException(
          "--adapter " + adapterDir + ": no such directory; it is the --out of ascribe tune");
    }
    try {
      adapter = Adapters.load(adapterDir, model);
    } catch (IOException e) {
      throw new UserErrorException(
          "cannot read the adapter in " + adapterDir + ": " + e.getMessage());
    }
  }

  int context() {
    return model.config().maxPositionEmbeddings();
  }

  @Override
  public void close() {
    if (adapter != null) {
      adapter.close();
    }
    tokenizer.close();
    model.close();
    manager.close();
  }
}
