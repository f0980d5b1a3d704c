package io.ascribe.node.cli;

import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.GenesisLoader;
import io.ascribe.genesis.GenesisWriter;
import io.ascribe.genesis.InvalidGenesisException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ascribe genesis ...}: write the devnet genesis as a starting point, and check a file. */
@Command(
    name = "genesis",
    description = "Write and check genesis files.",
    subcommands = {GenesisCommand.Devnet.class, GenesisCommand.Check.class})
final class GenesisCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "devnet", description = "Print (or write) the built-in devnet genesis as JSON.")
  static final class Devnet implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Write to FILE instead of printing.")
    Path out;

    @Override
    public void run() {
      Genesis genesis = DevnetGenesis.create();
      if (out == null) {
        PrintWriter writer = spec.commandLine().getOut();
        writer.print(GenesisWriter.toJson(genesis));
        writer.flush();
        return;
      }
      try {
        GenesisWriter.write(genesis, out);
      } catch (IOException e) {
        throw new UserErrorException("cannot write " + out + ": " + e.getMessage());
      }
    }
  }

  @Command(name = "check", description = "Validate a genesis file and print its hash.")
  static final class Check implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public void run() {
      Genesis genesis;
      try {
        genesis = GenesisLoader.load(file);
      } catch (IOException e) {
        throw new UserErrorException(e.getMessage());
      } catch (InvalidGenesisException e) {
        throw new UserErrorException(file + ": " + e.getMessage());
      }
      PrintWriter writer = spec.commandLine().getOut();
      writer.printf(
          "%s is valid: chain id %d, %d validators, %d allocations, hash %s%n",
          file,
          genesis.chainId(),
          genesis.validators().size(),
          genesis.allocations().size(),
          GenesisWriter.hash(genesis));
      writer.flush();
    }
  }
}
