package io.ascribe.node.cli;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.node.relayer.Relayer;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ascribe relayer}: follows a chain and submits each ended epoch's root with its validators'
 * signatures to the RewardDistributor, until stopped. Anyone may run one; its key only pays gas.
 */
@Command(
    name = "relayer",
    description =
        "Follow a chain and submit each ended epoch's rewards root, with its validators' signatures,"
            + " to the EVM distributor; runs until stopped (Ctrl-C). Anyone may: the key only pays"
            + " gas.")
final class RelayerCommand implements Runnable {
  @Option(
      names = "--rpc",
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:8645",
      description = "JSON-RPC URL of an Ascribe node (default: ${DEFAULT-VALUE}).")
  String rpc;

  @Option(
      names = "--evm-rpc",
      paramLabel = "URL",
      required = true,
      description = "JSON-RPC URL of the EVM chain.")
  String evmRpc;

  @Option(
      names = "--distributor",
      paramLabel = "ADDR",
      required = true,
      description = "RewardDistributor address (the one the chain's genesis names).")
  String distributor;

  @Option(
      names = "--key",
      paramLabel = "HEX",
      required = true,
      description = "Private key that sends (and pays gas for) the EVM transactions.")
  String key;

  @Option(
      names = "--poll-ms",
      paramLabel = "MS",
      defaultValue = "1000",
      description = "Milliseconds between polls of both nodes (default: ${DEFAULT-VALUE}).")
  long pollMs;

  @Override
  public void run() {
    Relayer.Settings settings;
    try {
      settings =
          new Relayer.Settings(
              rpc,
              evmRpc,
              Address.fromHex(distributor),
              PrivateKey.fromHex(key),
              Duration.ofMillis(pollMs));
    } catch (IllegalArgumentException e) {
      throw new UserErrorException("bad relayer option: " + e.getMessage());
    }
    if (pollMs < 1) {
      throw new UserErrorException("--poll-ms must be at least 1");
    }
    try (Relayer relayer = new Relayer(settings)) {
      Thread main = Thread.currentThread();
      Runtime.getRuntime().addShutdownHook(new Thread(main::interrupt, "shutdown"));
      relayer.run();
    } catch (Relayer.MisconfiguredException e) {
      throw new UserErrorException(e.getMessage());
    }
  }
}
