package io.ascribe.node.cli;

import static io.ascribe.node.cli.LocalTestnet.assertSameBlocks;
import static io.ascribe.node.cli.LocalTestnet.await;
import static io.ascribe.node.cli.LocalTestnet.awaitHeight;
import static io.ascribe.node.cli.LocalTestnet.height;
import static io.ascribe.node.cli.LocalTestnet.peers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.consensus.Step;
import io.ascribe.consensus.TimeoutConfig;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Quantities;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four validator processes of equal stake whose links to each other all run through a relay the
 * test controls. The chain commits; cut into halves {0, 1} and {2, 3}, neither half holds more than
 * 2/3 of the power, so no validator commits, however long it waits; heal the links, and commits
 * resume on all four, with the same block at every height (no fork).
 *
 * <p>How the stall is observed: with half the power, a validator's prevote is no quorum of
 * anything, and Tendermint moves to a later round only on 2/3 of prevotes or precommits (then their
 * timeouts) or on f+1 messages of a later round; so a cut-off validator waits at one round's
 * prevote step and its round cannot be the clock that shows time passing. Each validator instead
 * reports ({@code ascribe_consensusState}) how long it has been at its height by its own clock, and
 * the test waits until every one of them has spent as long at its height as three full rounds of
 * timeouts would take, during which none may have committed anything. Nothing here sleeps: it polls
 * what the nodes report, with a deadline.
 */
class TestnetPartitionIT {
  private static final List<Integer> LEFT = List.of(0, 1);
  private static final List<Integer> RIGHT = List.of(2, 3);

  /**
   * Time for what was decided before the cut to be committed wherever it can be (and synced within
   * a half): one round with every timeout running out.
   */
  private static final long SETTLE_MS = roundMillis(0);

  /** The stall asserted: as long as rounds 0, 1 and 2 would take with every timeout running out. */
  private static final long STALL_MS = roundMillis(0) + roundMillis(1) + roundMillis(2);

  @TempDir Path dir;
  @RegisterExtension final LocalTestnets testnets = new LocalTestnets();
  private final LinkRelay relay = new LinkRelay();
  private LocalTestnet testnet;

  private static long roundMillis(int round) {
    long sum = 0;
    for (Step step : Step.values()) {
      sum += TimeoutConfig.DEFAULT.duration(step, round);
    }
    return sum;
  }

  @AfterEach
  void closeRelay() {
    relay.close();
  }

  /** A validator's committed height and consensus state, read in one poll. */
  private record View(long committed, long deciding, boolean decided, long millisAtHeight) {
    static View of(String rpc) {
      JsonNode state = LocalTestnet.rpc(rpc).call("ascribe_consensusState");
      return new View(
          height(rpc),
          Quantities.parseLong(state.path("height").asText()),
          state.path("decided").asBoolean(),
          state.path("millisAtHeight").asLong());
    }
  }

  @Test
  void twoTwoPartitionCommitsNothingAndAfterHealingAllFourCommitTheSameBlocks() throws Exception {
    testnet = testnets.init(dir, 4, 200, 42);
    List<LocalTestnet.Node> nodes = testnet.nodes();
    // Each validator dials each other one at the relay port of that link, and at nothing else.
    for (int i = 0; i < nodes.size(); i++) {
      List<String> peers = new ArrayList<>();
      for (int j = 0; j < nodes.size(); j++) {
        if (j != i) {
          int port = relay.open(new LinkRelay.Link(i, j), nodes.get(j).p2pPort());
          peers.add(nodes.get(j).address() + "@127.0.0.1:" + port);
        }
      }
      testnet.setPeers(nodes.get(i), peers);
    }
    testnet.start();
    List<String> rpcs = testnet.rpcUrls();
    awaitPeers(i -> IntStream.range(0, 4).filter(j -> j != i).boxed().toList());
    awaitHeight(rpcs, 3);

    List<LinkRelay.Link> between = LinkRelay.between(LEFT, RIGHT);
    relay.cut(between);
    // Each validator now sees only the other one of its half: no path is left between the halves.
    awaitPeers(i -> List.of(i ^ 1));

    List<View> settled = awaitEveryoneAtTheirHeightFor(SETTLE_MS);
    List<View> stalled = awaitEveryoneAtTheirHeightFor(SETTLE_MS + STALL_MS);
    for (int i = 0; i < 4; i++) {
      assertThat(stalled.get(i).committed())
          .as("validator %d committed nothing in %d ms cut off: %s", i, STALL_MS, stalled)
          .isEqualTo(settled.get(i).committed());
      assertThat(stalled.get(i).deciding()).isEqualTo(settled.get(i).deciding());
    }

    relay.restore(between);
    long stuckAt = stalled.stream().mapToLong(View::committed).max().orElseThrow();
    awaitHeight(rpcs, stuckAt + 3);
    long common = rpcs.stream().mapToLong(LocalTestnet::height).min().orElseThrow();
    assertSameBlocks(rpcs, 1, common);
  }

  /** Waits until validator i is connected to exactly the validators {@code expected(i)}. */
  private void awaitPeers(IntFunction<List<Integer>> expected) {
    for (int i = 0; i < 4; i++) {
      Set<Address> want = new HashSet<>();
      expected.apply(i).forEach(j -> want.add(testnet.node(j).address()));
      String rpc = testnet.node(i).rpcUrl();
      await("validator " + i + " connected to exactly " + want, () -> peers(rpc), want::equals);
    }
  }

  /**
   * Waits until, in one poll of all four, every validator reports it has been at its height,
   * undecided, for at least {@code millis} by its own clock; a validator that commits starts its
   * count again. Allows that long plus {@link LocalTestnet#WAIT}.
   */
  private List<View> awaitEveryoneAtTheirHeightFor(long millis) {
    return await(
        "every validator at its height, undecided, for " + millis + " ms",
        Duration.ofMillis(millis).plus(LocalTestnet.WAIT),
        () -> testnet.rpcUrls().stream().map(View::of).toList(),
        views -> views.stream().allMatch(v -> !v.decided() && v.millisAtHeight() >= millis));
  }
}
