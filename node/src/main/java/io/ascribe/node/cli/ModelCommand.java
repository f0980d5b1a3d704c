package io.ascribe.node.cli;

import io.ascribe.core.ai.ModelFiles;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.Model;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ascribe model ...}: register a base model from its files, and show a registered one. */
@Command(
    name = "model",
    description = "Register base models and show them (proofs checked here).",
    subcommands = {ModelCommand.Register.class, ModelCommand.Show.class})
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
}
