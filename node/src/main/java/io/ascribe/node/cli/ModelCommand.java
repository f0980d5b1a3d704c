package io.ascribe.node.cli;

import ai.djl.ndarray.NDManager;
import io.ascribe.core.ai.ModelFiles;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Hash;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.tokenizer.HfTokenizer;
import io.ascribe.ledger.ai.Model;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe model ...}: create a random-initialised model directory, register a base model by
 * the hashes of its files, and show a registered one.
 */
@Command(
    name = "model",
    description =
        "Create model directories, register base models and show them (proofs checked here).",
    subcommands = {ModelCommand.Create.class, ModelCommand.Register.class, ModelCommand.Show.class})
final class ModelCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The hashes of the model files in {@code dir}, read once. */
  private record Hashes(ModelFiles files, Hash config, Hash weights) {
    static Hashes of(Path dir) {
      ModelFiles files = ModelFiles.in(dir);
      try {
        return new Hashes(files, files.configHash(), files.weightsHash());
      } catch (IOException e) {
        throw new UserErrorException(
            "cannot read the model files in " + dir + ": " + e.getMessage());
      }
    }
  }

  @Command(
      name = "register",
      description =
          "Register the base model in a Hugging Face directory (config.json and safetensors"
              + " weights) by the hashes of its files; prints its id.")
  static final class Register implements Runnable {
    @Mixin TxCommand.TxOptions tx;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--dir",
        paramLabel = "MODEL_DIR",
        required = true,
        description = "Model directory.")
    Path dir;

    @Option(
        names = "--licence",
        paramLabel = "L",
        required = true,
        description = "Licence of the weights, e.g. apache-2.0 or llama3.")
    String licence;

    @Override
    public void run() {
      if (licence.isBlank()) {
        throw new UserErrorException(
            "--licence is empty: name the weights' licence, e.g. apache-2.0");
      }
      Hashes hashes = Hashes.of(dir);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "architecture %s, config %s, weights %s (%d %s)%n",
          hashes.files().architecture(),
          hashes.config(),
          hashes.weights(),
          hashes.files().weights().size(),
          hashes.files().weights().size() == 1 ? "file" : "files");
      TxSender.Sent sent =
          tx.send(
              out,
              (chain, nonce, fee) ->
                  TxBodies.registerModel(
                      chain,
                      nonce,
                      fee,
                      hashes.weights(),
                      hashes.config(),
                      hashes.files().architecture(),
                      licence));
      out.printf("model %s%n", sent.createdId("model"));
      out.flush();
    }
  }

  @Command(
      name = "show",
      description = "Show a registered model; with --dir, check local files against it.")
  static final class Show implements Runnable {
    @Mixin RpcOption rpc;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", paramLabel = "ID", required = true, description = "Model id.")
    String id;

    @Option(
        names = "--dir",
        paramLabel = "MODEL_DIR",
        description = "A model directory to check against the registered hashes.")
    Path dir;

    @Override
    public void run() {
      ProvenObjects proven = new ProvenObjects(rpc.client());
      Model m = proven.model(IdOption.parse("--id", id));
      PrintWriter out = spec.commandLine().getOut();
      out.printf("model         %s%n", m.id());
      out.printf("owner         %s%n", m.owner());
      out.printf("architecture  %s%n", m.architecture());
      out.printf("licence       %s%n", m.licence());
      out.printf("config hash   %s%n", m.configHash());
      out.printf("weights hash  %s%n", m.weightsHash());
      out.printf("registered    block %d%n", m.height());
      out.printf("verified against %s%n", proven.checkedAt());
      out.flush();
      if (dir != null) {
        Hashes local = Hashes.of(dir);
        if (!local.config().equals(m.configHash()) || !local.weights().equals(m.weightsHash())) {
          throw new UserErrorException(
              "the files in "
                  + dir
                  + " are not model "
                  + m.id()
                  + " (config "
                  + local.config()
                  + ", weights "
                  + local.weights()
                  + "): use the registered files");
        }
        out.printf("the files in %s match%n", dir);
        out.flush();
      }
    }
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
