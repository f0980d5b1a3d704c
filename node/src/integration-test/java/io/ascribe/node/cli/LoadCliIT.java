package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.node.AscribeNode;
import io.ascribe.node.NodeConfig;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ascribe load} against a devnet node on free ports: a burst and a paced run each fund their
 * senders, send every transfer and find every one committed; a bad rate is refused before anything
 * is sent.
 */
class LoadCliIT {
  private static final Pattern REPORT =
      Pattern.compile("sent (\\d+), committed (\\d+) in [\\d.]+ s over (\\d+) blocks");

  @Test
  void aBurstAndAPacedRunCommitEveryTransferTheySend(@TempDir Path data) throws Exception {
    try (AscribeNode node =
        AscribeNode.start(
            new NodeConfig(
                data,
                DevnetGenesis.create(100),
                DevnetGenesis.devAccounts().get(0),
                "127.0.0.1",
                0,
                -1))) {
      String burst =
          CliRun.of(
                  "load", "--rpc", node.rpcUrl(), "--txs", "300", "--senders", "10", "--seed", "3")
              .succeeds();
      assertCommittedAll(burst, 300);

      String paced =
          CliRun.of(
                  "load",
                  "--rpc",
                  node.rpcUrl(),
                  "--txs",
                  "300",
                  "--senders",
                  "10",
                  "--batch",
                  "25",
                  "--rate",
                  "600",
                  "--seed",
                  "4")
              .succeeds();
      assertCommittedAll(paced, 300);

      CliRun.of("load", "--rpc", node.rpcUrl(), "--rate", "-5")
          .failsWith("--rate must be 0 (as fast as the node takes them) or transfers per second");
    }
  }

  private static void assertCommittedAll(String out, int txs) {
    Matcher m = REPORT.matcher(out);
    assertThat(m.find()).as("a report line in %s", out).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isEqualTo(txs);
    assertThat(Integer.parseInt(m.group(2))).as("committed of %s", out).isEqualTo(txs);
    assertThat(Integer.parseInt(m.group(3))).isPositive();
  }
}
