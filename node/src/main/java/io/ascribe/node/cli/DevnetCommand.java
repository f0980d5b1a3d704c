package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.node.AscribeNode;
import io.ascribe.node.NodeConfig;
import io.ascribe.node.config.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe devnet}: a one-validator chain on the built-in devnet genesis, for development.
 * Its ten dev accounts are anvil's, so the same keys work on a local EVM too.
 */
@Command(
    name = "devnet",
    description = "Run a one-validator development chain with ten funded dev accounts.")
final class DevnetCommand implements Runnable {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "devnet-data",
      description =
          "Chain data directory; reusing it resumes the chain (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--rpc-port",
      paramLabel = "PORT",
      defaultValue = "8645",
      description = "JSON-RPC port, 0 for a free one (default: ${DEFAULT-VALUE}).")
  int rpcPort;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      defaultValue = "9645",
      description =
          "Prometheus metrics port, 0 for a free one, -1 for none (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Interface to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--block-time",
      paramLabel = "MS",
      defaultValue = "1000",
      description = "Milliseconds between blocks (default: ${DEFAULT-VALUE}).")
  long blockTimeMs;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    Genesis genesis = DevnetGenesis.create(blockTimeMs);
    List<PrivateKey> accounts = DevnetGenesis.devAccounts();
    AscribeNode node;
    try {
      node =
          AscribeNode.start(
              new NodeConfig(dataDir, genesis, accounts.get(0), host, rpcPort, metricsPort));
    } catch (BindException e) {
      throw new UserErrorException(
          "cannot listen on "
              + host
              + " port "
              + rpcPort
              + " or "
              + metricsPort
              + ": another program uses it; pick free ports with --rpc-port and --metrics-port");
    } catch (IOException e) {
      throw new UserErrorException("cannot start the devnet: " + e.getMessage());
    }
    writeDevnetJson(node, genesis, accounts);
    printBanner(node, genesis, accounts);
    Foreground.runUntilStopped(node);
  }

  private void printBanner(AscribeNode node, Genesis genesis, List<PrivateKey> accounts) {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("Ascribe devnet%n");
    out.printf("  RPC URL     %s%n", node.rpcUrl());
    out.printf("  WebSocket   %s%n", node.wsUrl());
    node.metricsUrl().ifPresent(url -> out.printf("  Metrics     %s%n", url));
    out.printf("  Chain id    %d%n", genesis.chainId());
    out.printf("  Data dir    %s (height %d)%n", dataDir.toAbsolutePath(), node.ledger().height());
    out.printf("  Validator   %s%n", accounts.get(0).address());
    genesis
        .settlement()
        .ifPresent(
            s ->
                out.printf(
                    "  Settlement  epoch roots signed for distributor %s on EVM chain %d%n",
                    s.distributor(), s.evmChainId()));
    out.printf(
        "%nDev accounts (%s OPEN each; mnemonic \"%s\"):%n",
        Amount.formatOpen(DevnetGenesis.ACCOUNT_BALANCE), DevnetGenesis.MNEMONIC);
    for (int i = 0; i < accounts.size(); i++) {
      out.printf("  (%d) %s  %s%n", i, accounts.get(i).address(), accounts.get(i).toHex());
    }
    out.printf("%nWritten to %s. Stop with Ctrl-C.%n", dataDir.resolve("devnet.json"));
    out.flush();
  }

  /** Writes devnet.json atomically, for scripts and the web page to find the node. */
  private void writeDevnetJson(AscribeNode node, Genesis genesis, List<PrivateKey> accounts) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("rpcUrl", node.rpcUrl());
    root.put("wsUrl", node.wsUrl());
    node.metricsUrl().ifPresent(url -> root.put("metricsUrl", url));
    root.put("chainId", genesis.chainId());
    ArrayNode list = root.putArray("accounts");
    for (PrivateKey key : accounts) {
      list.addObject().put("address", key.address().toString()).put("privateKey", key.toHex());
    }
    Path target = dataDir.resolve("devnet.json");
    try {
      AtomicFiles.write(
          target, json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n", false);
    } catch (IOException e) {
      throw new UserErrorException("cannot write " + target + ": " + e.getMessage());
    }
  }
}
