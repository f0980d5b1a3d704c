package io.ascribe.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Block;
import io.ascribe.core.proto.BlockRequest;
import io.ascribe.core.proto.BlockResponse;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.CommittedBlock;
import io.ascribe.core.proto.Header;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.p2p.Misbehaviour;
import io.ascribe.p2p.Peer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A full node syncing from genesis, offered blocks with commits that do not hold by test peers with
 * their own node keys over the real transport: a commit of another block, and a commit stripped of
 * its signatures. The node refuses each, logs one warning naming the peer and why, bans it (an
 * invalid block is the gravest offence), keeps its state as it was, and fetches the blocks from
 * another peer that is ahead without waiting for anyone to announce a new head.
 */
class BadSyncPeerIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int BLOCKS = 3;

  @TempDir Path validatorDir;
  @TempDir Path fullNodeDir;
  private final Logger p2pLog = (Logger) LoggerFactory.getLogger("io.ascribe.p2p");
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final List<TestPeer> peers = new ArrayList<>();
  private final List<CommittedBlock> chain = new ArrayList<>();
  private Genesis genesis;
  private Hash genesisHash;
  private AscribeNode fullNode;
  private final PrivateKey fullNodeKey = PrivateKey.fromHex("0x" + "42".repeat(32));

  @BeforeEach
  void buildAChainAndStartAFullNode() throws Exception {
    log.start();
    p2pLog.addAppender(log);
    genesis = DevnetGenesis.create(50);
    // The chain the honest peer serves: blocks with their commits from a devnet validator, which
    // is then stopped, so no new head comes from anywhere but the test peers.
    try (AscribeNode validator =
        AscribeNode.start(
            new NodeConfig(
                validatorDir,
                genesis,
                DevnetGenesis.devAccounts().get(0),
                "127.0.0.1",
                0,
                -1,
                Optional.empty(),
                NodeConfig.Role.SOLE_VALIDATOR))) {
      try (HeadSubscription heads = HeadSubscription.open(validator.rpcUrl())) {
        heads.awaitHeight(BLOCKS, WAIT);
      }
      for (long h = 1; h <= BLOCKS; h++) {
        chain.add(
            CommittedBlock.newBuilder()
                .setBlock(validator.ledger().block(h).orElseThrow())
                .setCommit(validator.ledger().commitOf(h).orElseThrow())
                .build());
      }
    }
    fullNode =
        AscribeNode.start(
            new NodeConfig(
                fullNodeDir,
                genesis,
                fullNodeKey,
                "127.0.0.1",
                0,
                -1,
                Optional.of(new NodeConfig.P2p("127.0.0.1", 0, List.of())),
                NodeConfig.Role.FULL_NODE));
    genesisHash = BlockHashing.headerHash(fullNode.ledger().block(0).orElseThrow().getHeader());
  }

  @AfterEach
  void stop() {
    p2pLog.detachAppender(log);
    peers.forEach(TestPeer::close);
    if (fullNode != null) {
      fullNode.close();
    }
  }

  private TestPeer peer(int n) throws Exception {
    byte[] raw = new byte[32];
    raw[0] = 0x6b;
    raw[31] = (byte) n;
    TestPeer peer = new TestPeer(PrivateKey.fromBytes(raw), genesis, genesisHash);
    peers.add(peer);
    return peer;
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("%s within %s", what, WAIT).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  private List<String> linesAbout(TestPeer peer) {
    synchronized (log) {
      return log.list.stream()
          .filter(e -> e.getFormattedMessage().contains(peer.address().toString()))
          .filter(e -> !e.getFormattedMessage().startsWith("Connected to peer"))
          .filter(e -> !e.getFormattedMessage().startsWith("P2p listening"))
          .map(e -> e.getLevel() + " " + e.getFormattedMessage())
          .toList();
    }
  }

  private Hash hashOf(int height) {
    return BlockHashing.headerHash(chain.get(height - 1).getBlock().getHeader());
  }

  /** The honest chain's blocks from the request on, as the node's own sync serves them. */
  private BlockResponse honest(BlockRequest request) {
    BlockResponse.Builder response = BlockResponse.newBuilder();
    for (long h = request.getFromHeight();
        h <= BLOCKS && h < request.getFromHeight() + request.getMaxBlocks();
        h++) {
      response.addBlocks(chain.get((int) h - 1));
    }
    return response.build();
  }

  private static BlockResponse withCommit(Block block, Commit commit) {
    return BlockResponse.newBuilder()
        .addBlocks(CommittedBlock.newBuilder().setBlock(block).setCommit(commit))
        .build();
  }

  private record NodeState(long height, Hash head, Header header) {}

  private NodeState state() {
    return new NodeState(
        fullNode.ledger().height(), fullNode.ledger().headHash(), fullNode.ledger().headHeader());
  }

  /** Waits until the full node has heard {@code peer} announce {@code height}. */
  private void awaitAnnounced(TestPeer peer, long height) {
    await(
        () ->
            fullNode
                .chainSync()
                .orElseThrow()
                .announcedHeight(peer.address())
                .equals(OptionalLong.of(height)),
        "the full node hearing " + peer.address() + " announce " + height);
  }

  @Test
  void aPeerServingACommitOfAnotherBlockIsRefusedAndTheStateStaysAsItWas() throws Exception {
    NodeState before = state();
    assertThat(before.height()).isZero();
    // Block 1 with block 2's commit: the signatures are real, but for another block.
    TestPeer liar =
        peer(1).serve(r -> withCommit(chain.get(0).getBlock(), chain.get(1).getCommit()));
    Peer toNode = liar.connect(fullNode, fullNodeKey.address());
    toNode.send(TestPeer.newHead(BLOCKS, hashOf(BLOCKS)));

    assertThat(liar.awaitDropped(WAIT)).isTrue();
    assertThat(fullNode.peerScores().orElseThrow().isBanned(liar.address())).isTrue();
    assertThat(linesAbout(liar))
        .singleElement()
        .asString()
        .startsWith("WARN Dropped peer " + liar.address())
        .contains("served an invalid block 1")
        .contains(Misbehaviour.INVALID_BLOCK.name());
    assertThat(state()).isEqualTo(before);
    assertThat(fullNode.ledger().commitOf(1)).isEmpty();
  }

  @Test
  void aCommitWithTooFewSignaturesIsRefusedAndTheBlocksComeFromAnotherPeer() throws Exception {
    NodeState before = state();
    // The liar claims to be furthest ahead, so it is asked first; it answers only once the honest
    // peer, which never announces again, is known to the full node.
    TestPeer liar = peer(2);
    Peer liarToNode = liar.connect(fullNode, fullNodeKey.address());
    liarToNode.send(TestPeer.newHead(BLOCKS + 10, hashOf(BLOCKS)));
    BlockRequest asked = liar.requests.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(asked).isNotNull();
    assertThat(asked.getFromHeight()).isEqualTo(1);

    TestPeer server = peer(3).serve(this::honest);
    server.connect(fullNode, fullNodeKey.address()).send(TestPeer.newHead(BLOCKS, hashOf(BLOCKS)));
    awaitAnnounced(server, BLOCKS);
    assertThat(state()).isEqualTo(before);

    // Block 1 with its own commit, less every signature: under 2/3 of the power.
    Commit stripped = chain.get(0).getCommit().toBuilder().clearSignatures().build();
    liarToNode.send(
        PeerMessage.newBuilder()
            .setBlockResponse(withCommit(chain.get(0).getBlock(), stripped))
            .build());

    assertThat(liar.awaitDropped(WAIT)).isTrue();
    assertThat(fullNode.peerScores().orElseThrow().isBanned(liar.address())).isTrue();
    assertThat(linesAbout(liar))
        .singleElement()
        .asString()
        .startsWith("WARN Dropped peer " + liar.address())
        .contains("served an invalid block 1")
        .contains(Misbehaviour.INVALID_BLOCK.name());

    // Fetched from the honest peer right away: the same blocks and commits as the chain's.
    await(() -> fullNode.ledger().height() == BLOCKS, "the full node syncing from the other peer");
    for (int h = 1; h <= BLOCKS; h++) {
      assertThat(fullNode.ledger().block(h)).contains(chain.get(h - 1).getBlock());
      assertThat(fullNode.ledger().commitOf(h)).contains(chain.get(h - 1).getCommit());
    }
    assertThat(fullNode.peerScores().orElseThrow().penalty(server.address())).isZero();
  }
}
