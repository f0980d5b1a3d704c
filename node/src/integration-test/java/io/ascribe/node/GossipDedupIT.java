package io.ascribe.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ascribe.consensus.Event;
import io.ascribe.consensus.FileConsensusWal;
import io.ascribe.consensus.Proposal;
import io.ascribe.consensus.ProposerRotation;
import io.ascribe.consensus.SignedVote;
import io.ascribe.consensus.Validators;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.ConsensusProposal;
import io.ascribe.core.proto.ConsensusVote;
import io.ascribe.core.proto.NewHead;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.proto.SignedTx;
import io.ascribe.core.proto.VoteType;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.p2p.Misbehaviour;
import io.ascribe.p2p.Peer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transaction gossip is de-duplicated: a validator with two test peers connected (each with its own
 * node key, over the real transport) takes a signed transfer that peer A sends twice, holds it once
 * in its mempool, and forwards it to peer B once and never back to A. The duplicate costs A
 * nothing: an honest relay sends one whenever a transaction reaches it from two sides, so {@code
 * ChainSync} drops a copy the mempool already holds before recovering its sender, uncharged. The
 * validator is one of two and the other never starts, so no block takes the transfer out of the
 * mempool.
 *
 * <p>Votes are not relayed on receipt: the node rebroadcasts the ones it holds every second ({@code
 * ConsensusService.rebroadcast}), so peers receive them again and again by design, and what must
 * not repeat is their handling. A vote sent twice is counted, signature-checked and journalled in
 * the consensus log once, and the copy costs its sender nothing; so is a proposal resent without
 * its block.
 */
class GossipDedupIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final List<PrivateKey> keys = DevnetGenesis.devAccounts().subList(0, 2);
  private final List<TestPeer> peers = new ArrayList<>();
  private InJvmValidators validators;
  private Genesis genesis;
  private AscribeNode node;
  private Hash genesisHash;

  @BeforeEach
  void startOneOfTwoValidators() throws Exception {
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
  }

  @AfterEach
  void stop() {
    peers.forEach(TestPeer::close);
    validators.close();
  }

  private Path wal() {
    return dir.resolve("v0").resolve("consensus").resolve("consensus.wal");
  }

  private PeerMessage prevote(Address validator, PrivateKey signer) {
    Hash digest =
        SignedVote.digest(genesis.chainId(), SignedVote.Type.PREVOTE, 1, 0, Optional.empty());
    return PeerMessage.newBuilder()
        .setConsensusVote(
            ConsensusVote.newBuilder()
                .setType(VoteType.VOTE_TYPE_PREVOTE)
                .setHeight(1)
                .setRound(0)
                .setValidator(ByteString.copyFrom(validator.toArray()))
                .setSignature(ByteString.copyFrom(signer.sign(digest).toBytes())))
        .build();
  }

  /** A proposal of {@code proposer} at height 1, in the first round whose proposer it is. */
  private PeerMessage proposal(Address proposer, PrivateKey signer) {
    Validators set =
        new Validators(
            node.ledger().nextValidators().validators().stream()
                .map(v -> new Validators.Validator(v.address(), v.votingPower()))
                .toList());
    ProposerRotation rotation = new ProposerRotation(set);
    int round = 0;
    while (!rotation.proposer(1, round).equals(proposer)) {
      round++;
    }
    Hash value = Keccak.hash(new byte[] {7});
    return PeerMessage.newBuilder()
        .setConsensusProposal(
            ConsensusProposal.newBuilder()
                .setHeight(1)
                .setRound(round)
                .setValue(ByteString.copyFrom(value.toArray()))
                .setValidRound(-1)
                .setProposer(ByteString.copyFrom(proposer.toArray()))
                .setSignature(
                    ByteString.copyFrom(
                        signer
                            .sign(Proposal.digest(genesis.chainId(), 1, round, value, -1))
                            .toBytes())))
        .build();
  }

  /** A test peer connected to the node, once the node has it among the peers it gossips to. */
  private Peer connected(int n) throws Exception {
    byte[] raw = new byte[32];
    raw[0] = 0x6d;
    raw[31] = (byte) n;
    TestPeer peer = new TestPeer(PrivateKey.fromBytes(raw), genesis, genesisHash);
    peers.add(peer);
    Peer toNode = peer.connect(node, keys.get(0).address());
    // The node announces its head right after it registered the peer for gossip.
    NewHead head = peer.heads.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(head).as("the node's head announced within %s", WAIT).isNotNull();
    return toNode;
  }

  private SignedTransaction transfer(long nonce) {
    Address to = Address.fromHex("0x00000000000000000000000000000000000000cc");
    return SignedTransaction.sign(
        TxBodies.transfer(genesis.chainId(), nonce, genesis.params().minFee(), to, Amount.ONE_OPEN),
        keys.get(1));
  }

  private static PeerMessage tx(SignedTransaction tx) {
    return PeerMessage.newBuilder().setTx(tx.envelope()).build();
  }

  private static SignedTx next(TestPeer peer, String what) throws InterruptedException {
    SignedTx tx = peer.txs.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(tx).as("%s within %s", what, WAIT).isNotNull();
    return tx;
  }

  @Test
  void aTransferSentTwiceIsHeldAndForwardedOnceAndCostsItsSenderNothing() throws Exception {
    Peer fromA = connected(1);
    TestPeer a = peers.get(0);
    Peer fromB = connected(2);
    TestPeer b = peers.get(1);
    SignedTransaction transfer = transfer(0);
    SignedTransaction marker = transfer(1);

    fromA.send(tx(transfer));
    assertThat(next(b, "the first copy at B")).isEqualTo(transfer.envelope());

    // The node takes a connection's transactions in order on one thread and forwards what it
    // accepts in that order, so had it forwarded the second copy, B would get it before the
    // marker sent after it.
    fromA.send(tx(transfer));
    fromA.send(tx(marker));
    assertThat(next(b, "the marker at B")).isEqualTo(marker.envelope());
    assertThat(b.txs).as("nothing but the marker after the first copy").isEmpty();

    // Nor is anything echoed to A, the peer it came from: a transfer B sends now reaches A after
    // whatever the node forwarded to A before it, on the same connection.
    SignedTransaction fromBMarker = transfer(2);
    fromB.send(tx(fromBMarker));
    assertThat(next(a, "B's transfer at A")).isEqualTo(fromBMarker.envelope());
    assertThat(a.txs).isEmpty();

    assertThat(node.mempool().size()).as("each transaction held once").isEqualTo(3);
    assertThat(node.mempool().contains(transfer.hash())).isTrue();
    assertThat(node.peerScores().orElseThrow().penalty(a.address())).isZero();
    assertThat(a.disconnects).as("A still connected").isEmpty();
    assertThat(fromA.isConnected()).isTrue();
  }

  @Test
  void aVoteAndAProposalSentTwiceAreJournalledOnceAndCostTheirSenderNothing() throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!node.consensusStatus().map(st -> st.height() == 1).orElse(false)) {
      assertThat(System.nanoTime())
          .as("consensus at height 1 within %s", WAIT)
          .isLessThan(deadline);
      Thread.onSpinWait();
    }
    Peer fromA = connected(1);
    TestPeer a = peers.get(0);
    Address other = keys.get(1).address();
    PeerMessage vote = prevote(other, keys.get(1));

    fromA.send(vote);
    fromA.send(vote);
    // A proposal of the other validator in a round whose turn is its, resent without its block as
    // rebroadcasts are.
    PeerMessage proposal = proposal(other, keys.get(1));
    fromA.send(proposal);
    fromA.send(proposal);
    // The barrier: a vote under a signature not its validator's, on the same connection, handled
    // on the same consensus thread after the two copies. Once it is charged, both were handled.
    fromA.send(prevote(other, a.key()));
    assertThat(a.awaitDropped(WAIT)).as("dropped for the forged vote").isTrue();
    assertThat(node.peerScores().orElseThrow().penalty(a.address()))
        .as("charged for the forgery alone")
        .isEqualTo(Misbehaviour.INVALID_SIGNATURE.penalty());

    // Read from a copy: the node keeps writing the log.
    Path copy = dir.resolve("wal-copy");
    Files.copy(wal(), copy);
    FileConsensusWal log = FileConsensusWal.open(copy);
    try {
      // The only vote of that validator anywhere is the one A sent, which never started here.
      assertThat(log.replay())
          .filteredOn(e -> e instanceof Event.VoteReceived v && v.vote().validator().equals(other))
          .singleElement()
          .satisfies(
              e ->
                  assertThat(((Event.VoteReceived) e).vote().type())
                      .isEqualTo(SignedVote.Type.PREVOTE));
      assertThat(log.replay())
          .filteredOn(
              e -> e instanceof Event.ProposalReceived r && r.proposal().proposer().equals(other))
          .hasSize(1);
    } finally {
      log.close();
    }
  }
}
