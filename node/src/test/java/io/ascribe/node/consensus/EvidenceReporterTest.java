package io.ascribe.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.consensus.Action;
import io.ascribe.consensus.KeySigner;
import io.ascribe.consensus.Proposal;
import io.ascribe.consensus.SignedVote;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.ValidatorRecord;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.node.mempool.Mempool;
import io.ascribe.node.mempool.MempoolLimits;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A double sign that consensus reports (signed by the real {@link KeySigner}) becomes one evidence
 * transaction in the mempool, signed and paid for by the node key, which the ledger accepts and
 * slashes on.
 */
class EvidenceReporterTest {
  private static final PrivateKey NODE = key(1);
  private static final PrivateKey OFFENDER = key(2);

  @TempDir Path dir;
  private Ledger ledger;
  private Mempool mempool;
  private final List<SignedTransaction> gossiped = new ArrayList<>();
  private EvidenceReporter reporter;
  private long time = 1_800_000_000_000L;

  private static PrivateKey key(int n) {
    byte[] raw = new byte[32];
    raw[0] = 0x33;
    raw[31] = (byte) n;
    return PrivateKey.fromBytes(raw);
  }

  @BeforeEach
  void open() {
    Genesis devnet = DevnetGenesis.create(1000);
    ledger =
        Ledger.open(
            dir,
            new Genesis(
                devnet.chainId(),
                Instant.parse("2026-01-01T00:00:00Z"),
                List.of(
                    new Genesis.GenesisValidator(NODE.address(), DevnetGenesis.VALIDATOR_STAKE),
                    new Genesis.GenesisValidator(
                        OFFENDER.address(), DevnetGenesis.VALIDATOR_STAKE)),
                List.of(
                    new Genesis.Allocation(
                        NODE.address(), Amount.ONE_OPEN.multiply(BigInteger.TEN))),
                devnet.params()));
    mempool =
        new Mempool(
            ledger.genesis().chainId(),
            ledger.genesis().params().minFee(),
            MempoolLimits.DEFAULT,
            Clock.systemUTC());
    reporter = new EvidenceReporter(ledger, mempool, NODE, gossiped::add);
    commitFromMempool();
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private ExecutedBlock commitFromMempool() {
    ExecutedBlock block =
        ledger.propose(mempool.candidates(100, ledger), time += 1000, NODE.address());
    ledger.commit(block, Commit.newBuilder().setHeight(block.height()).build());
    mempool.update(block.changedAccounts().keySet(), List.of(), ledger);
    return block;
  }

  /** The offender's key as its node signs, with no guard: what a second copy of it does. */
  private KeySigner offender() {
    return new KeySigner(OFFENDER, ledger.genesis().chainId(), (h, r, step, digest) -> true);
  }

  private static Hash block(String name) {
    return Keccak.hash(name.getBytes(StandardCharsets.US_ASCII));
  }

  private Action.Evidence doubleVote(long height) {
    SignedVote first =
        offender().signVote(SignedVote.Type.PREVOTE, height, 0, Optional.of(block("a"))).get();
    SignedVote second =
        offender().signVote(SignedVote.Type.PREVOTE, height, 0, Optional.empty()).get();
    return new Action.Evidence(first, second);
  }

  @Test
  void aDoubleVoteBecomesOneEvidenceTransactionThatSlashesTheOffender() {
    SignedTransaction tx = reporter.report(doubleVote(1)).orElseThrow();

    assertThat(mempool.contains(tx.hash())).isTrue();
    assertThat(gossiped).containsExactly(tx);
    assertThat(tx.sender()).isEqualTo(NODE.address());
    assertThat(tx.body().getKindCase()).isEqualTo(TxBody.KindCase.SUBMIT_EVIDENCE);
    assertThat(tx.body().getNonce()).isEqualTo(ledger.account(NODE.address()).nonce());

    BigInteger stake = ledger.account(OFFENDER.address()).stake();
    ExecutedBlock block = commitFromMempool();
    assertThat(block.receipts()).singleElement().satisfies(r -> assertThat(r.error()).isEmpty());
    int bps = ledger.genesis().params().ai().slashing().doubleSignSlashBps();
    assertThat(ledger.account(OFFENDER.address()).stake())
        .isEqualTo(
            stake.subtract(
                stake.multiply(BigInteger.valueOf(bps)).divide(BigInteger.valueOf(10_000))));
  }

  @Test
  void anOffenderIsReportedOncePerRun() {
    assertThat(reporter.report(doubleVote(1))).isPresent();
    SignedVote first =
        offender().signVote(SignedVote.Type.PRECOMMIT, 1, 1, Optional.of(block("b"))).get();
    SignedVote second =
        offender().signVote(SignedVote.Type.PRECOMMIT, 1, 1, Optional.of(block("c"))).get();
    assertThat(reporter.report(new Action.Evidence(first, second))).isEmpty();
    assertThat(mempool.size()).isEqualTo(1);
    assertThat(gossiped).hasSize(1);
  }

  @Test
  void aDoubleProposalIsReportedAndSlashedToo() {
    Proposal first = offender().signProposal(1, 0, block("a"), -1).get();
    Proposal second = offender().signProposal(1, 0, block("b"), -1).get();
    reporter.report(new Action.ProposalEvidence(first, second)).orElseThrow();
    assertThat(commitFromMempool().receipts().get(0).error()).isEmpty();
    assertThat(ledger.validatorRecord(OFFENDER.address()))
        .hasValueSatisfying(
            r ->
                assertThat(r.punishment().orElseThrow().step())
                    .isEqualTo(ValidatorRecord.Step.PROPOSAL));
  }

  @Test
  void anOffenderTheChainAlreadyPunishedIsNotReportedAgain() {
    reporter.report(doubleVote(1)).orElseThrow();
    commitFromMempool();
    // A restarted node (a fresh reporter) sees the same double sign again in its replayed log.
    EvidenceReporter restarted = new EvidenceReporter(ledger, mempool, NODE, gossiped::add);
    assertThat(restarted.report(doubleVote(1))).isEmpty();
    assertThat(mempool.size()).isZero();
  }
}
