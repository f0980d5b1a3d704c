package io.ascribe.node.cli;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.node.load.LoadGenerator;
import io.ascribe.node.load.LoadReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ascribe load}: measure a node's committed transfers per second and commit latency. */
@Command(
    name = "load",
    description =
        "Send signed transfers from many accounts to a node and report committed tx/s and commit latency.")
final class LoadCommand implements Runnable {
  @Mixin RpcOption rpc;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--funder-key",
      paramLabel = "HEX",
      description = "Funded key that pays the senders (default: devnet account 9).")
  String funderKey;

  @Option(
      names = "--senders",
      defaultValue = "200",
      description = "Sending accounts (default: ${DEFAULT-VALUE}).")
  int senders;

  @Option(
      names = "--txs",
      defaultValue = "20000",
      description = "Transfers in all (default: ${DEFAULT-VALUE}).")
  int txs;

  @Option(
      names = "--batch",
      defaultValue = "250",
      description = "Transfers per JSON-RPC batch (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--connections",
      defaultValue = "4",
      description = "Concurrent senders (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--rate",
      paramLabel = "TX_PER_S",
      defaultValue = "0",
      description =
          "Send at this many transfers per second, to measure finality at that load (default: as"
              + " fast as the node takes them, to measure capacity; latencies are then queueing).")
  double rate;

  @Option(
      names = "--spread-to",
      paramLabel = "URL",
      split = ",",
      description =
          "More nodes' RPC URLs to send through, as a network's clients spread over its nodes;"
              + " each sender always uses the same node. --rpc funds the senders and is watched"
              + " for commits.")
  List<String> spreadTo = List.of();

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed for sender keys and recipients (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public void run() {
    PrivateKey funder =
        funderKey != null ? PrivateKey.fromHex(funderKey) : DevnetGenesis.devAccounts().get(9);
    PrintWriter out = spec.commandLine().getOut();
    if (rate < 0 || !Double.isFinite(rate)) {
      throw new UserErrorException(
          "--rate must be 0 (as fast as the node takes them) or transfers per second, got " + rate);
    }
    LoadGenerator generator =
        new LoadGenerator(
            new LoadGenerator.Plan(urls(), funder, senders, txs, batch, connections, seed, rate),
            line -> {
              out.println(line);
              out.flush();
            });
    try {
      LoadReport report = generator.run();
      out.println(report);
      out.flush();
    } catch (java.io.IOException e) {
      throw new UserErrorException(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<String> urls() {
    List<String> all = new ArrayList<>();
    all.add(rpc.url);
    all.addAll(spreadTo);
    if (all.size() > senders) {
      throw new UserErrorException(
          "--spread-to gives "
              + all.size()
              + " nodes but only "
              + senders
              + " senders: raise --senders so that every node gets one");
    }
    return all;
  }
}
