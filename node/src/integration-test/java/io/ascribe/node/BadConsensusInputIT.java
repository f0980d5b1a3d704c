package io.ascribe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import io.ascribe.consensus.Proposal;
import io.ascribe.consensus.ProposerRotation;
import io.ascribe.consensus.SignedVote;
import io.ascribe.consensus.Step;
import io.ascribe.consensus.Validators;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.ConsensusProposal;
import io.ascribe.core.proto.ConsensusVote;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.proto.VoteType;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.p2p.Misbehaviour;
import io.ascribe.p2p.Peer;
import io.ascribe.p2p.PeerScores;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Consensus messages no honest peer sends, from a test peer with its own node key over the real
 * transport, to a validator of a two-validator chain whose other validator has not started yet. It
 * waits at height 1, so every message is judged at a height that holds still; the other validator
 * then starts and the two commit blocks, showing the node carried on. Each kind of bad message
 * costs the peer its penalty and its connection, with one warning naming the peer and what it did,
 * however many it sent before the drop; enough offences ban it. Messages for far-future heights are
 * dropped unread: a sender that claims more than it announced is charged, one that may really be
 * ahead is not, and neither leaves anything in the consensus log.
 */
class BadConsensusInputIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int BURST = 3;

  @TempDir Path dir;
  private final List<PrivateKey> keys = DevnetGenesis.devAccounts().subList(0, 2);
  private final Logger p2pLog = (Logger) LoggerFactory.getLogger("io.ascribe.p2p");
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final List<TestPeer> peers = new ArrayList<>();
  private InJvmValidators validators;
  private Genesis genesis;
  private AscribeNode node;
  private Hash genesisHash;

  @BeforeEach
  void startOneOfTwoValidators() throws Exception {
    log.start();
    p2pLog.addAppender(log);
    Genesis devnet = DevnetGenesis.create(100);
    List<Genesis.GenesisValidator> stakes = new ArrayList<>();
    for (PrivateKey key : keys) {
      stakes.add(
          new Genesis.GenesisValidator(
              key.address(), Amount.ONE_OPEN.multiply(BigInteger.valueOf(100_000))));
    }
    genesis =
        new Genesis(
            devnet.chainId(),
            Instant.parse("2026-01-01T00:00:00Z"),
            stakes,
            devnet.allocations(),
            devnet.params());
    validators = new InJvmValidators(dir, keys);
    node = validators.start(0, genesis);
    genesisHash = BlockHashing.headerHash(node.ledger().block(0).orElseThrow().getHeader());
    // Half the power alone: it prevotes and waits there, with no timeout left to fire.
    await(
        () ->
            node.consensusStatus()
                .map(s -> s.height() == 1 && s.step() == Step.PREVOTE)
                .orElse(false),
        "the validator waiting at the prevote step of height 1");
  }

  @AfterEach
  void stop() {
    p2pLog.detachAppender(log);
    peers.forEach(TestPeer::close);
    validators.close();
  }

  private TestPeer attacker(int n) throws Exception {
    byte[] raw = new byte[32];
    raw[0] = 0x5a;
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

  private PeerScores scores() {
    return node.peerScores().orElseThrow();
  }

  private Address validator(int i) {
    return keys.get(i).address();
  }

  /** The lines the node logged about {@code peer} dropping or being dropped. */
  private List<String> linesAbout(TestPeer peer) {
    synchronized (log) {
      return log.list.stream()
          .filter(e -> e.getFormattedMessage().contains(peer.address().toString()))
          .filter(e -> !e.getFormattedMessage().startsWith("Connected to peer"))
          // Its own transport's line, not the node's.
          .filter(e -> !e.getFormattedMessage().startsWith("P2p listening"))
          .map(e -> e.getLevel() + " " + e.getFormattedMessage())
          .toList();
    }
  }

  private static PeerMessage vote(
      SignedVote.Type type, long height, Address validator, PrivateKey signer, long chainId) {
    Hash digest = SignedVote.digest(chainId, type, height, 0, Optional.empty());
    return PeerMessage.newBuilder()
        .setConsensusVote(
            ConsensusVote.newBuilder()
                .setType(
                    type == SignedVote.Type.PREVOTE
                        ? VoteType.VOTE_TYPE_PREVOTE
                        : VoteType.VOTE_TYPE_PRECOMMIT)
                .setHeight(height)
                .setRound(0)
                .setValidator(ByteString.copyFrom(validator.toArray()))
                .setSignature(ByteString.copyFrom(signer.sign(digest).toBytes())))
        .build();
  }

  private PeerMessage vote(long height, Address validator, PrivateKey signer) {
    return vote(SignedVote.Type.PREVOTE, height, validator, signer, genesis.chainId());
  }

  /**
   * Sends {@code offence} in bursts of {@link #BURST}, one burst a connection, until the node bans
   * the peer; checks each burst cost exactly one penalty and one warning, and returns how many
   * connections it took.
   */
  private int offendUntilBanned(
      TestPeer peer, Misbehaviour what, String reason, Function<Integer, PeerMessage> offence)
      throws Exception {
    int offences = 0;
    while (!scores().isBanned(peer.address())) {
      offences++;
      Peer toNode = peer.connect(node, validator(0));
      for (int i = 0; i < BURST; i++) {
        toNode.send(offence.apply(offences * BURST + i));
      }
      assertThat(peer.awaitDropped(WAIT)).as("dropped after offence %d", offences).isTrue();
      if (!scores().isBanned(peer.address())) {
        assertThat(scores().penalty(peer.address())).isEqualTo(offences * what.penalty());
      }
      List<String> lines = linesAbout(peer);
      assertThat(lines).as("one line per offence").hasSize(offences);
      assertThat(lines.get(offences - 1))
          .startsWith("WARN Dropped peer " + peer.address())
          .contains(reason)
          .contains(what.name());
    }
    int expected = (PeerScores.BAN_THRESHOLD + what.penalty() - 1) / what.penalty();
    assertThat(offences).isEqualTo(expected);
    assertThat(linesAbout(peer).get(offences - 1)).endsWith("now banned)");
    // Banned: the node turns it away before any hello counts.
    assertThatThrownBy(() -> peer.connect(node, validator(0)))
        .isInstanceOf(ExecutionException.class);
    return offences;
  }

  private Path wal() {
    return dir.resolve("v0").resolve("consensus").resolve("consensus.wal");
  }

  @Test
  void badVotesAndProposalsCostTheirSenderAndTheValidatorCarriesOn() throws Exception {
    long walBytes = Files.size(wal());

    // A vote of a validator under a signature that is not its.
    TestPeer forger = attacker(1);
    offendUntilBanned(
        forger,
        Misbehaviour.INVALID_SIGNATURE,
        "a vote with a bad signature",
        i -> vote(1, validator(1), forger.key()));

    // A vote that is correctly signed, by a key that is no validator.
    TestPeer outsider = attacker(2);
    offendUntilBanned(
        outsider,
        Misbehaviour.NON_VALIDATOR_VOTE,
        "a vote from non-validator " + outsider.address(),
        i -> vote(1, outsider.address(), outsider.key()));

    // Refused before they reach the consensus log.
    assertThat(Files.size(wal())).isEqualTo(walBytes);

    // A proposal correctly signed by the validator whose turn it is not.
    Validators set =
        new Validators(
            node.ledger().nextValidators().validators().stream()
                .map(v -> new Validators.Validator(v.address(), v.votingPower()))
                .toList());
    Address proposer = new ProposerRotation(set).proposer(1, 0);
    PrivateKey outOfTurn = keys.get(proposer.equals(validator(0)) ? 1 : 0);
    TestPeer relayer = attacker(3);
    offendUntilBanned(
        relayer,
        Misbehaviour.WRONG_PROPOSER,
        "signed by " + outOfTurn.address() + ", whose turn it is not (the proposer is " + proposer,
        i -> {
          Hash value = Keccak.hash(new byte[] {i.byteValue()});
          Proposal p =
              new Proposal(
                  1,
                  0,
                  value,
                  -1,
                  outOfTurn.address(),
                  outOfTurn.sign(Proposal.digest(genesis.chainId(), 1, 0, value, -1)));
          return PeerMessage.newBuilder()
              .setConsensusProposal(
                  ConsensusProposal.newBuilder()
                      .setHeight(p.height())
                      .setRound(p.round())
                      .setValue(ByteString.copyFrom(value.toArray()))
                      .setValidRound(-1)
                      .setProposer(ByteString.copyFrom(p.proposer().toArray()))
                      .setSignature(ByteString.copyFrom(p.signature().toBytes())))
              .build();
        });
    // The refused proposals were journalled as they came in, like any message; nothing after.
    walBytes = Files.size(wal());

    // Far-future votes from a peer that announced genesis as its head: lies, charged.
    TestPeer flooder = attacker(4);
    offendUntilBanned(
        flooder,
        Misbehaviour.FAR_FUTURE_MESSAGE,
        "a consensus vote for height 1000",
        i -> vote(1000, validator(1), keys.get(1)));

    // Far-future votes from a peer that announced it is that far ahead: this node may be the one
    // behind, so they cost nothing, and are dropped without being buffered or journalled. A vote
    // with a bad signature sent after them on the same connection is the barrier: once it is
    // charged, every vote before it has been handled.
    TestPeer ahead = attacker(5);
    Peer toNode = ahead.connect(node, validator(0));
    toNode.send(TestPeer.newHead(900, Keccak.hash(new byte[] {9})));
    for (int i = 0; i < 1_000; i++) {
      toNode.send(
          vote(
              SignedVote.Type.values()[i % 2],
              890 + i % 10,
              validator(1),
              keys.get(1),
              genesis.chainId()));
    }
    toNode.send(vote(1, validator(1), ahead.key()));
    assertThat(ahead.awaitDropped(WAIT)).isTrue();
    assertThat(scores().penalty(ahead.address()))
        .isEqualTo(Misbehaviour.INVALID_SIGNATURE.penalty());
    assertThat(linesAbout(ahead))
        .singleElement()
        .asString()
        .contains("a vote with a bad signature");
    assertThat(Files.size(wal())).as("nothing journalled for far heights").isEqualTo(walBytes);
    assertThat(node.ledger().height()).isZero();

    // The other validator starts: together they hold the power to commit, and do.
    validators.start(1, genesis);
    try (HeadSubscription heads = HeadSubscription.open(node.rpcUrl())) {
      heads.awaitHeight(3, WAIT);
    }
    try (HeadSubscription heads = HeadSubscription.open(validators.nodes[1].rpcUrl())) {
      heads.awaitHeight(3, WAIT);
    }
    for (long h = 1; h <= 3; h++) {
      assertThat(validators.nodes[1].ledger().block(h).orElseThrow().getHeader())
          .isEqualTo(node.ledger().block(h).orElseThrow().getHeader());
    }
  }
}
