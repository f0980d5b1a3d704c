package io.ascribe.ledger;

import static io.ascribe.ledger.Equivocations.doublePrevote;
import static io.ascribe.ledger.LedgerFixture.CHAIN_ID;
import static io.ascribe.ledger.LedgerFixture.FUNDS;
import static io.ascribe.ledger.LedgerFixture.MIN_FEE;
import static io.ascribe.ledger.LedgerFixture.MIN_STAKE;
import static io.ascribe.ledger.LedgerFixture.USERS;
import static io.ascribe.ledger.LedgerFixture.VALIDATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.AiParams;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.InvalidGenesisException;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.TxReceipt;
import io.ascribe.ledger.state.UnbondingSchedule;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unstaked stake through the ledger: it leaves the voting power after the validator-set delay but
 * returns to the balance only {@code unbondingBlocks} after that, and stays slashable until then,
 * so a validator that double-signs and unstakes at once cannot have its money back before the
 * evidence lands (docs/adr/006).
 */
class UnbondingLedgerTest {
  private static final long DELAY = 2;
  private static final long MAX_AGE = 20;
  private static final long UNBONDING = 30;
  private static final int SLASH_BPS = 500;
  private static final BigInteger STAKE = MIN_STAKE.multiply(BigInteger.TEN);

  /** The second validator, the one that unstakes. */
  private static final PrivateKey LEAVER = LedgerFixture.key(6);

  private static final PrivateKey REPORTER = USERS.get(0);

  @TempDir Path dir;
  private Ledger ledger;
  private long time = 1_800_000_000_000L;

  @AfterEach
  void close() {
    if (ledger != null) {
      ledger.close();
    }
  }

  /** LedgerFixture's chain with {@link #LEAVER} as a second, equal validator. */
  private static Genesis twoValidators(long unbondingBlocks) {
    Genesis base = LedgerFixture.genesis();
    AiParams ai = base.params().ai();
    List<Genesis.Allocation> allocations = new ArrayList<>(base.allocations());
    allocations.add(new Genesis.Allocation(LEAVER.address(), FUNDS));
    return new Genesis(
        base.chainId(),
        base.genesisTime(),
        List.of(
            new Genesis.GenesisValidator(VALIDATOR.address(), STAKE),
            new Genesis.GenesisValidator(LEAVER.address(), STAKE)),
        allocations,
        base.params()
            .withAi(
                new AiParams(
                    ai.workFeeSplit(),
                    ai.jobs(),
                    ai.inference(),
                    new AiParams.Slashing(SLASH_BPS, MAX_AGE)))
            .withUnbondingBlocks(unbondingBlocks));
  }

  private Ledger open(Path at, long unbondingBlocks) {
    ledger = Ledger.open(at, twoValidators(unbondingBlocks));
    return ledger;
  }

  private ExecutedBlock commit(SignedTransaction... txs) {
    ExecutedBlock block = ledger.propose(List.of(txs), time += 1000, VALIDATOR.address());
    assertThat(block.rejected()).isEmpty();
    ledger.commit(block, Commit.newBuilder().setHeight(block.height()).build());
    return block;
  }

  private void commitUntil(long height) {
    while (ledger.height() < height) {
      commit();
    }
  }

  private SignedTransaction sign(PrivateKey key, TxBody body) {
    return SignedTransaction.sign(body, key);
  }

  private long nonce(PrivateKey key) {
    return ledger.account(key.address()).nonce();
  }

  private TxReceipt unstake(BigInteger amount) {
    TxReceipt receipt =
        commit(sign(LEAVER, TxBodies.unstake(CHAIN_ID, nonce(LEAVER), MIN_FEE, amount)))
            .receipts()
            .get(0);
    assertThat(receipt.error()).isEmpty();
    return receipt;
  }

  private AccountState leaver() {
    return ledger.account(LEAVER.address());
  }

  private BigInteger power() {
    return ledger
        .system()
        .validators()
        .find(LEAVER.address())
        .map(v -> v.power())
        .orElse(BigInteger.ZERO);
  }

  private List<UnbondingSchedule.Release> releases() {
    return ledger.system().unbonding().releases();
  }

  private static BigInteger slash(BigInteger amount) {
    return amount.multiply(BigInteger.valueOf(SLASH_BPS)).divide(BigInteger.valueOf(10_000));
  }

  private void assertSupplyInvariant() {
    LedgerFixture.assertSupplyInvariant(ledger, LEAVER);
  }

  @Test
  void powerDropsAfterTheDelayButTheBalanceRisesOnlyUnbondingBlocksLater() {
    open(dir, UNBONDING);
    commitUntil(2);
    BigInteger part = MIN_STAKE.multiply(BigInteger.valueOf(4));
    TxReceipt unstake = unstake(part);
    long u = unstake.height();
    BigInteger balance = leaver().balance();
    long release = u + DELAY + UNBONDING;
    assertThat(leaver().unbondingHeight()).isEqualTo(release);

    commitUntil(u + DELAY - 1);
    assertThat(power()).isEqualTo(STAKE);
    commit();
    assertThat(power()).isEqualTo(STAKE.subtract(part));
    assertThat(releases())
        .containsExactly(new UnbondingSchedule.Release(release, LEAVER.address()));

    commitUntil(release - 1);
    assertThat(leaver().unbonding()).isEqualTo(part);
    assertThat(leaver().balance()).isEqualTo(balance);
    assertSupplyInvariant();
    commit();
    assertThat(leaver().unbonding()).isZero();
    assertThat(leaver().unbondingHeight()).isZero();
    assertThat(leaver().balance()).isEqualTo(balance.add(part));
    assertThat(releases()).isEmpty();
    assertSupplyInvariant();
  }

  @Test
  void aSecondUnstakeMergesIntoTheFirstAndTheWholeAmountWaitsFromTheLater() {
    open(dir, UNBONDING);
    BigInteger first = MIN_STAKE;
    BigInteger second = MIN_STAKE.multiply(BigInteger.TWO);
    long u1 = unstake(first).height();
    commitUntil(u1 + 10);
    assertThat(releases())
        .containsExactly(new UnbondingSchedule.Release(u1 + DELAY + UNBONDING, LEAVER.address()));
    BigInteger balance = leaver().balance();
    long u2 = unstake(second).height();
    // Waiting for the set without the second part, the merged amount has no release yet.
    assertThat(releases()).isEmpty();
    assertThat(leaver().unbonding()).isEqualTo(first.add(second));
    long release = u2 + DELAY + UNBONDING;
    assertThat(leaver().unbondingHeight()).isEqualTo(release);

    commitUntil(release - 1);
    assertThat(leaver().unbonding()).isEqualTo(first.add(second));
    assertThat(releases())
        .containsExactly(new UnbondingSchedule.Release(release, LEAVER.address()));
    commit();
    assertThat(leaver().balance()).isEqualTo(balance.subtract(MIN_FEE).add(first).add(second));
    assertThat(leaver().unbonding()).isZero();
    assertSupplyInvariant();
  }

  @Test
  void theLastEvidenceTheAgeAllowsStillFindsTheStakeWhenUnbondingIsTheEvidenceAge() {
    // The tightest genesis allowed: unbonding exactly the evidence age. The stake signs until the
    // block before the set without it takes over; evidence of that block may come up to the age
    // later, and the stake is still there then.
    open(dir, MAX_AGE);
    commitUntil(2);
    long u = unstake(STAKE).height();
    long lastSigned = u + DELAY - 1;
    long lastChance = lastSigned + MAX_AGE;
    commitUntil(lastSigned + 1);
    assertThat(power()).isZero();
    commitUntil(lastChance - 1);
    assertThat(leaver().unbonding()).isEqualTo(STAKE);

    ExecutedBlock block =
        commit(
            sign(
                REPORTER,
                TxBodies.submitEvidence(
                    CHAIN_ID,
                    nonce(REPORTER),
                    MIN_FEE,
                    doublePrevote(LEAVER, CHAIN_ID, lastSigned - 1, 0))),
            sign(
                USERS.get(1),
                TxBodies.submitEvidence(
                    CHAIN_ID,
                    nonce(USERS.get(1)),
                    MIN_FEE,
                    doublePrevote(LEAVER, CHAIN_ID, lastSigned, 0))));
    assertThat(block.height()).isEqualTo(lastChance);
    // One block past the age is refused, unbonding or not; the last height within it convicts.
    assertThat(block.receipts().get(0).error())
        .contains("evidence of height " + (lastSigned - 1) + " is too old");
    assertThat(block.receipts().get(1).error()).isEmpty();
    assertThat(leaver().unbonding()).isEqualTo(STAKE.subtract(slash(STAKE)));
    assertSupplyInvariant();

    BigInteger balance = leaver().balance();
    commit();
    assertThat(leaver().unbonding()).isZero();
    assertThat(leaver().balance()).isEqualTo(balance.add(STAKE).subtract(slash(STAKE)));
    assertSupplyInvariant();
  }

  @Test
  void aGenesisWhoseUnbondingIsShorterThanTheEvidenceAgeIsRefused() {
    assertThatThrownBy(() -> Ledger.open(dir, twoValidators(MAX_AGE - 1)))
        .isInstanceOfSatisfying(
            InvalidGenesisException.class,
            e -> assertThat(e.field()).isEqualTo("params.unbondingBlocks"))
        .hasMessageContaining(
            "must be at least params.ai.slashing.evidenceMaxAgeBlocks (20), got 19");
  }

  @Test
  void twoExecutionsOfTheSameBlocksGiveTheSameRootsAndTheScheduleSurvivesARestart(
      @TempDir Path other) {
    List<Hash> first = run(dir, this::unbondAndSlash);
    ledger.close();
    ledger = null;
    List<Hash> second = run(other, this::unbondAndSlash);
    assertThat(second).isEqualTo(first);
    List<UnbondingSchedule.Release> schedule = releases();
    assertThat(schedule).isNotEmpty();
    ledger.close();
    // Reopening rebuilds the state tree and checks it hashes to the head's state root.
    open(other, UNBONDING);
    assertThat(releases()).isEqualTo(schedule);
    assertThat(Hash.copyOf(ledger.headHeader().getStateRoot().toByteArray()))
        .isEqualTo(first.getLast());
  }

  /** Runs {@code scenario} on a fresh chain in {@code at} and returns every block's state root. */
  private List<Hash> run(Path at, Consumer<List<Hash>> scenario) {
    time = 1_800_000_000_000L;
    open(at, UNBONDING);
    List<Hash> roots = new ArrayList<>();
    scenario.accept(roots);
    return roots;
  }

  private void unbondAndSlash(List<Hash> roots) {
    Runnable root = () -> roots.add(Hash.copyOf(ledger.headHeader().getStateRoot().toByteArray()));
    unstake(MIN_STAKE);
    root.run();
    for (int i = 0; i < 4; i++) {
      commit();
      root.run();
    }
    unstake(MIN_STAKE);
    root.run();
    commit(
        sign(
            REPORTER,
            TxBodies.submitEvidence(
                CHAIN_ID, nonce(REPORTER), MIN_FEE, doublePrevote(LEAVER, CHAIN_ID, 2, 0))));
    root.run();
    for (int i = 0; i < 4; i++) {
      commit();
      root.run();
    }
  }
}
