package io.ascribe.node.cli;

import io.ascribe.genesis.Genesis;
import io.ascribe.node.AscribeNode;
import io.ascribe.node.NodeConfig;
import io.ascribe.node.config.NodeHome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe run}: run the node of a home made by {@code ascribe init}. Today that is a chain
 * whose only validator is this node; chains of several validators need the p2p and consensus
 * layers, and the command says so instead of running a node that could never commit.
 */
@Command(name = "run", description = "Run the node in a home created by 'ascribe init'.")
final class RunCommand implements Runnable {
  @Option(names = "--home", paramLabel = "DIR", required = true, description = "The node home.")
  Path home;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    NodeHome nodeHome = new NodeHome(home);
    NodeHome.Contents contents = nodeHome.load();
    Genesis genesis = contents.genesis();
    boolean soleValidator =
        genesis.validators().size() == 1
            && genesis.validators().get(0).address().equals(contents.validatorKey().address());
    if (!soleValidator) {
      throw new UserErrorException(
          "this genesis has "
              + genesis.validators().size()
              + " validators and this node's key "
              + (genesis.validators().stream()
                      .anyMatch(v -> v.address().equals(contents.validatorKey().address()))
                  ? "is one of them"
                  : "is not among them")
              + ": running with other nodes needs the p2p and consensus layers, which this build"
              + " does not have yet; run a one-validator chain ('ascribe init' without --genesis)");
    }
    AscribeNode node;
    try {
      node =
          AscribeNode.start(
              new NodeConfig(
                  nodeHome.dataDir(),
                  genesis,
                  contents.validatorKey(),
                  contents.settings().rpc().host(),
                  contents.settings().rpc().port(),
                  contents.settings().metrics().port()));
    } catch (IOException e) {
      throw new UserErrorException(
          "cannot start the node: "
              + e.getMessage()
              + " (ports are set in "
              + nodeHome.settingsFile()
              + ")");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("Ascribe node (home %s)%n", home.toAbsolutePath());
    out.printf("  RPC URL     %s%n", node.rpcUrl());
    node.metricsUrl().ifPresent(url -> out.printf("  Metrics     %s%n", url));
    out.printf("  Chain id    %d at height %d%n", genesis.chainId(), node.ledger().height());
    out.printf("  Validator   %s%n", contents.validatorKey().address());
    out.flush();
    Foreground.runUntilStopped(node);
  }
}
