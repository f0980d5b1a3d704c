package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.node.AscribeNode;
import io.ascribe.node.NodeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ascribe load} against a devnet node on free ports: a burst and a paced run each fund their
 * senders, send every transfer and find every one committed; a bad rate is refused before anything
 * is sent. Then a paced run spread over the four validators of a testnet, each sender through one
 * of them, as a network's clients are: every transfer committed, a quarter sent through each.
 */
class LoadCliIT {
  @RegisterExtension final LocalTestnets testnets = new LocalTestnets();

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

  @Test
  void aLoadSpreadOverFourValidatorsCommitsEveryTransferSentThroughEach(@TempDir Path dir)
      throws Exception {
    LocalTestnet testnet =
        testnets.init(dir.resolve("testnet"), List.of("--validators", "4", "--block-time", "200"));
    testnet.start();
    List<String> others = new ArrayList<>();
    for (int i = 1; i < 4; i++) {
      others.add(testnet.node(i).rpcUrl());
    }
    String out =
        CliRun.of(
                "load",
                "--rpc",
                testnet.node(0).rpcUrl(),
                "--spread-to",
                String.join(",", others),
                "--txs",
                "400",
                "--senders",
                "8",
                "--batch",
                "50",
                "--rate",
                "400",
                "--seed",
                "5")
            .succeeds();
    assertCommittedAll(out, 400);
    assertThat(out).contains("sent through 4 nodes [100, 100, 100, 100]");

    CliRun.of(
            "load",
            "--rpc",
            testnet.node(0).rpcUrl(),
            "--spread-to",
            String.join(",", others),
            "--senders",
            "2")
        .failsWith("--spread-to gives 4 nodes but only 2 senders");
  }

  private static void assertCommittedAll(String out, int txs) {
    Matcher m = REPORT.matcher(out);
    assertThat(m.find()).as("a report line in %s", out).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isEqualTo(txs);
    assertThat(Integer.parseInt(m.group(2))).as("committed of %s", out).isEqualTo(txs);
    assertThat(Integer.parseInt(m.group(3))).isPositive();
  }
}
