package io.ascribe.node.cli;

import static io.ascribe.node.cli.LocalTestnet.assertSameBlocks;
import static io.ascribe.node.cli.LocalTestnet.awaitHeight;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four validators linked in a line, 0 - 1 - 2 - 3, so that no validator hears more than three of
 * the four directly and the ends hear only two: no height can be decided on direct messages alone.
 * A height that lasts relays every vote and proposal its validators hold, one hop at a time, and
 * the chain commits the same blocks on all four.
 */
class TestnetLineIT {
  @TempDir Path dir;
  @RegisterExtension final LocalTestnets testnets = new LocalTestnets();

  @Test
  void validatorsLinkedInALineStillDecideByRelayedVotes() throws Exception {
    LocalTestnet testnet = testnets.init(dir, 4, 200, 3);
    List<LocalTestnet.Node> nodes = testnet.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      List<String> neighbours =
          List.of(i - 1, i + 1).stream()
              .filter(j -> j >= 0 && j < nodes.size())
              .map(j -> nodes.get(j).p2p())
              .toList();
      testnet.setPeers(nodes.get(i), neighbours);
    }
    testnet.start();
    awaitHeight(testnet.rpcUrls(), 4);
    assertSameBlocks(testnet.rpcUrls(), 1, 4);
  }
}
