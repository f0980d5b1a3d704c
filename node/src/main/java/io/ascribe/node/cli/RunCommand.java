package io.ascribe.node.cli;

import io.ascribe.core.types.Address;
import io.ascribe.genesis.Genesis;
import io.ascribe.node.AscribeNode;
import io.ascribe.node.NodeConfig;
import io.ascribe.node.config.NodeHome;
import io.ascribe.node.config.NodeSettings;
import io.ascribe.node.executor.ExecutorSettings;
import io.ascribe.node.sync.PeerAddress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe run}: run the node of a home made by {@code ascribe init}. A node whose key is the
 * genesis's only validator produces the blocks; a node whose key is not a validator is a full node
 * that imports, checks and serves the blocks its peers commit. Chains of several validators need
 * the consensus engine in the node, and the command says so instead of starting a node that could
 * never commit.
 */
@Command(name = "run", description = "Run the node in a home created by 'ascribe init'.")
final class RunCommand implements Runnable {
  @Option(names = "--home", paramLabel = "DIR", required = true, description = "The node home.")
  Path home;

  @Mixin ExecutorOptions executorOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    NodeHome nodeHome = new NodeHome(home);
    NodeHome.Contents contents = nodeHome.load();
    Genesis genesis = contents.genesis();
    NodeSettings settings = contents.settings();
    Address self = contents.validatorKey().address();
    boolean validator = genesis.validators().stream().anyMatch(v -> v.address().equals(self));
    List<PeerAddress> peers;
    try {
      peers = settings.p2p().persistentPeers().stream().map(PeerAddress::parse).toList();
    } catch (IllegalArgumentException e) {
      throw new UserErrorException(
          nodeHome.settingsFile() + ": p2p.persistent_peers: " + e.getMessage());
    }
    boolean alone = validator && genesis.validators().size() == 1;
    if (!alone && peers.isEmpty()) {
      throw new UserErrorException(
          "this node ("
              + (validator
                  ? "one of " + genesis.validators().size() + " validators"
                  : "a full node")
              + ") needs peers: set p2p.persistent_peers in "
              + nodeHome.settingsFile());
    }
    Optional<NodeConfig.BridgeWatch> bridge =
        Optional.ofNullable(settings.bridge())
            .map(
                b ->
                    new NodeConfig.BridgeWatch(
                        b.evmRpc(), Duration.ofMillis(b.pollIntervalMs()), b.fromBlock()));
    if (bridge.isPresent() && genesis.bridge().isEmpty()) {
      throw new UserErrorException(
          nodeHome.settingsFile()
              + " has a [bridge] section, but the chain's genesis has no bridge to watch: remove"
              + " the section, or start a chain whose genesis names its OpenBridge");
    }
    Optional<ExecutorSettings> work = executorOptions.settings(home);
    AscribeNode node;
    try {
      node =
          AscribeNode.start(
              new NodeConfig(
                  nodeHome.dataDir(),
                  genesis,
                  contents.validatorKey(),
                  settings.rpc().host(),
                  settings.rpc().port(),
                  settings.metrics().port(),
                  Optional.of(
                      new NodeConfig.P2p(settings.p2p().host(), settings.p2p().port(), peers)),
                  !validator
                      ? NodeConfig.Role.FULL_NODE
                      : genesis.validators().size() == 1
                          ? NodeConfig.Role.SOLE_VALIDATOR
                          : NodeConfig.Role.VALIDATOR,
                  bridge,
                  settings.consensus().timeouts()));
    } catch (IOException e) {
      throw new UserErrorException(
          "cannot start the node: "
              + e.getMessage()
              + " (ports are set in "
              + nodeHome.settingsFile()
              + ")");
    }
    if (work.isPresent()) {
      try {
        node.startAiWork(work.get());
      } catch (IllegalStateException e) {
        node.close();
        throw new UserErrorException(e.getMessage());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "Ascribe %s (home %s)%n", validator ? "validator" : "full node", home.toAbsolutePath());
    out.printf("  RPC URL     %s%n", node.rpcUrl());
    node.metricsUrl().ifPresent(url -> out.printf("  Metrics     %s%n", url));
    out.printf(
        "  P2p         %s@%s:%d%n", self, settings.p2p().host(), node.p2pPort().orElseThrow());
    out.printf("  Chain id    %d at height %d%n", genesis.chainId(), node.ledger().height());
    bridge.ifPresent(
        b ->
            out.printf(
                "  Deposits    OpenBridge %s via %s%n",
                genesis.bridge().orElseThrow().address(), b.evmRpcUrl()));
    work.ifPresent(w -> out.printf("  Executor    %s%n", w.describe()));
    out.flush();
    Foreground.runUntilStopped(node);
  }
}
