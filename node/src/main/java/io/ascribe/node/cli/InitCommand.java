package io.ascribe.node.cli;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.GenesisLoader;
import io.ascribe.genesis.InvalidGenesisException;
import io.ascribe.node.config.NodeHome;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe init}: lay out a node home with a validator key, a genesis and default settings.
 * Without {@code --genesis} it starts a new one-validator chain whose validator is this node.
 */
@Command(name = "init", description = "Create a node home: validator key, genesis and settings.")
final class InitCommand implements Runnable {
  @Option(
      names = "--home",
      paramLabel = "DIR",
      required = true,
      description = "The node home to create.")
  Path home;

  @Option(
      names = "--genesis",
      paramLabel = "FILE",
      description = "Genesis of the chain to join (default: a new one-validator chain).")
  Path genesisFile;

  @Option(
      names = "--key",
      paramLabel = "HEX",
      description = "Validator key to use (default: a new one).")
  String keyHex;

  @Option(
      names = "--chain-id",
      defaultValue = "4242",
      description = "Chain id of a new chain (default: ${DEFAULT-VALUE}).")
  long chainId;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    PrivateKey key =
        keyHex != null ? PrivateKey.fromHex(keyHex) : PrivateKey.generate(new SecureRandom());
    Genesis genesis = genesisFile != null ? load(genesisFile) : newChain(key);
    NodeHome nodeHome = new NodeHome(home);
    try {
      nodeHome.init(genesis, key);
    } catch (IOException e) {
      throw new UserErrorException(e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("Initialised node home %s%n", home.toAbsolutePath());
    out.printf("  validator  %s (key in %s)%n", key.address(), nodeHome.keyFile());
    out.printf("  chain id   %d (genesis in %s)%n", genesis.chainId(), nodeHome.genesisFile());
    out.printf("  settings   %s%n", nodeHome.settingsFile());
    out.printf("Start it with: ascribe run --home %s%n", home);
    out.flush();
  }

  private static Genesis load(Path file) {
    try {
      return GenesisLoader.load(file);
    } catch (IOException e) {
      throw new UserErrorException(e.getMessage());
    } catch (InvalidGenesisException e) {
      throw new UserErrorException(file + ": " + e.getMessage());
    }
  }

  /** A private chain: this key validates with the devnet's stake and holds the devnet balance. */
  private Genesis newChain(PrivateKey key) {
    Genesis devnet = DevnetGenesis.create();
    BigInteger funds = DevnetGenesis.ACCOUNT_BALANCE;
    return new Genesis(
        chainId,
        Instant.now().truncatedTo(ChronoUnit.SECONDS),
        List.of(new Genesis.GenesisValidator(key.address(), DevnetGenesis.VALIDATOR_STAKE)),
        List.of(new Genesis.Allocation(key.address(), funds)),
        devnet.params());
  }
}
