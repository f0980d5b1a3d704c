package io.ascribe.node.cli;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.tokenizer.HfTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ascribe model create}: a random-initialised model directory to tune from scratch. */
@Command(
    name = "model",
    description = "Make model directories.",
    subcommands = ModelCommand.Create.class)
final class ModelCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      description =
          "Write a random-initialised Llama-style model (config.json, model.safetensors and, with"
              + " --tokenizer, tokenizer.json).")
  static final class Create implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        required = true,
        description = "Hugging Face config.json of a Llama-style model (model_type llama).")
    Path config;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        required = true,
        description = "Directory to write the model into (must not hold one yet).")
    Path out;

    @Option(
        names = "--seed",
        paramLabel = "N",
        required = true,
        description = "Seed of the N(0, 0.02²) initialisation; the same seed gives the same model.")
    long seed;

    @Option(
        names = "--tokenizer",
        paramLabel = "FILE",
        description =
            "Hugging Face tokenizer.json to copy in (with the tokenizer_config.json beside it, if"
                + " any); without it the model uses the byte tokenizer.")
    Path tokenizer;

    @Override
    public void run() {
      LlamaConfig cfg;
      try {
        cfg = LlamaConfig.read(config);
      } catch (IOException e) {
        throw new UserErrorException("cannot read " + config + ": " + e.getMessage());
      }
      String tokenizerText;
      if (tokenizer != null) {
        try (HfTokenizer t = HfTokenizer.load(tokenizer)) {
          if (t.vocabSize() > cfg.vocabSize()) {
            throw new UserErrorException(
                tokenizer
                    + " has ids up to "
                    + (t.vocabSize() - 1)
                    + " but "
                    + config
                    + " has vocab_size "
                    + cfg.vocabSize()
                    + "; set vocab_size to at least "
                    + t.vocabSize());
          }
          tokenizerText = t.toString();
        }
      } else {
        if (cfg.vocabSize() < ByteTokenizer.VOCAB_SIZE) {
          throw new UserErrorException(
              config
                  + " has vocab_size "
                  + cfg.vocabSize()
                  + ", too small for the byte tokenizer (258 ids); set vocab_size to at least 258"
                  + " or give --tokenizer");
        }
        tokenizerText = "the byte tokenizer (no tokenizer.json)";
      }
      if (Files.exists(out.resolve(LlamaModel.CONFIG_FILE))) {
        throw new UserErrorException(
            out + " already holds a model; choose another --out or remove it first");
      }
      try (NDManager manager = Torch.engine().newBaseManager()) {
        ModelFactory.write(cfg, seed, out, manager);
        if (tokenizer != null) {
          Files.copy(tokenizer, out.resolve(HfTokenizer.FILE), StandardCopyOption.REPLACE_EXISTING);
          Path tokenizerConfig = tokenizer.resolveSibling(HfTokenizer.CONFIG_FILE);
          if (Files.exists(tokenizerConfig)) {
            Files.copy(
                tokenizerConfig,
                out.resolve(HfTokenizer.CONFIG_FILE),
                StandardCopyOption.REPLACE_EXISTING);
          }
        }
      } catch (IOException e) {
        throw new UserErrorException("cannot write " + out + ": " + e.getMessage());
      }
      long params = 0;
      for (long[] shape : LlamaModel.expectedShapes(cfg).values()) {
        long n = 1;
        for (long d : shape) {
          n *= d;
        }
        params += n;
      }
      PrintWriter w = spec.commandLine().getOut();
      w.printf(
          "wrote %s: %,d parameters (%d layers, hidden %d, vocab %d, context %d), seed %d, %s%n",
          out,
          params,
          cfg.numHiddenLayers(),
          cfg.hiddenSize(),
          cfg.vocabSize(),
          cfg.maxPositionEmbeddings(),
          seed,
          tokenizerText);
      w.flush();
    }
  }
}
