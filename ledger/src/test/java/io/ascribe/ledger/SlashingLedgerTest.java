package io.ascribe.ledger;

import static io.ascribe.core.proto.VoteType.VOTE_TYPE_PRECOMMIT;
import static io.ascribe.core.proto.VoteType.VOTE_TYPE_PREVOTE;
import static io.ascribe.ledger.Equivocations.block;
import static io.ascribe.ledger.Equivocations.doublePrevote;
import static io.ascribe.ledger.Equivocations.doubleProposal;
import static io.ascribe.ledger.Equivocations.doubleVote;
import static io.ascribe.ledger.Equivocations.proposal;
import static io.ascribe.ledger.Equivocations.vote;
import static io.ascribe.ledger.LedgerFixture.CHAIN_ID;
import static io.ascribe.ledger.LedgerFixture.FUNDS;
import static io.ascribe.ledger.LedgerFixture.MIN_FEE;
import static io.ascribe.ledger.LedgerFixture.MIN_STAKE;
import static io.ascribe.ledger.LedgerFixture.USERS;
import static io.ascribe.ledger.LedgerFixture.VALIDATOR;
import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.SubmitEvidence;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.AiParams;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.ai.ValidatorRecord;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.TxReceipt;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evidence of a double sign through the ledger: who can be convicted (a validator of that height,
 * within the evidence age, once), what it costs (a share of bonded and unbonding stake, burned but
 * for the reporter's tenth), and the jail that follows.
 */
class SlashingLedgerTest {
  private static final BigInteger OPEN = Amount.ONE_OPEN;
  private static final long MAX_AGE = 20;
  private static final long DELAY = 2;
  private static final int SLASH_BPS = 500;
  private static final BigInteger STAKE = MIN_STAKE.multiply(BigInteger.TEN);

  /** The second validator, the one that double-signs. */
  private static final PrivateKey SIGNER = LedgerFixture.key(5);

  private static final PrivateKey REPORTER = USERS.get(0);

  @TempDir Path dir;
  private Ledger ledger;
  private long time = 1_800_000_000_000L;

  @BeforeEach
  void open() {
    ledger = Ledger.open(dir, twoValidators());
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  /** LedgerFixture's chain with {@link #SIGNER} as a second, equal validator. */
  private static Genesis twoValidators() {
    Genesis base = LedgerFixture.genesis();
    ProtocolParams p = base.params();
    AiParams ai = p.ai();
    List<Genesis.Allocation> allocations = new ArrayList<>(base.allocations());
    allocations.add(new Genesis.Allocation(SIGNER.address(), FUNDS));
    return new Genesis(
        base.chainId(),
        base.genesisTime(),
        List.of(
            new Genesis.GenesisValidator(VALIDATOR.address(), STAKE),
            new Genesis.GenesisValidator(SIGNER.address(), STAKE)),
        allocations,
        new ProtocolParams(
            p.blockTimeMs(),
            p.epochLength(),
            DELAY,
            p.minValidatorStake(),
            p.minFee(),
            p.maxBlockTxs(),
            p.feeSplit(),
            p.bondLockBlocks(),
            new AiParams(
                ai.workFeeSplit(),
                ai.jobs(),
                ai.inference(),
                new AiParams.Slashing(SLASH_BPS, MAX_AGE))));
  }

  // ---- helpers -------------------------------------------------------------------------------

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

  private TxReceipt run(PrivateKey key, TxBody body) {
    return commit(sign(key, body)).receipts().get(0);
  }

  private SignedTransaction evidence(PrivateKey reporter, SubmitEvidence evidence) {
    return sign(reporter, TxBodies.submitEvidence(CHAIN_ID, nonce(reporter), MIN_FEE, evidence));
  }

  private TxReceipt submit(PrivateKey reporter, SubmitEvidence evidence) {
    return commit(evidence(reporter, evidence)).receipts().get(0);
  }

  private AccountState account(PrivateKey key) {
    return ledger.account(key.address());
  }

  private Optional<ValidatorRecord> record(PrivateKey key) {
    return ledger.object(ValidatorRecord.key(key.address())).map(ValidatorRecord.class::cast);
  }

  private boolean inSet(PrivateKey key) {
    return ledger.system().validators().find(key.address()).isPresent();
  }

  private static BigInteger slash(BigInteger amount) {
    return amount.multiply(BigInteger.valueOf(SLASH_BPS)).divide(BigInteger.valueOf(10_000));
  }

  /** What one transaction's fee burns (the fee split burns a fifth). */
  private static BigInteger feeBurn() {
    return MIN_FEE.divide(BigInteger.valueOf(5));
  }

  private void assertSupplyInvariant() {
    LedgerFixture.assertSupplyInvariant(ledger, SIGNER);
  }

  /** Refused evidence: the reporter paid its fee, and nothing else changed. */
  private void assertRefused(SubmitEvidence evidence, String message) {
    AccountState accused = account(SIGNER);
    Optional<ValidatorRecord> recordBefore = record(SIGNER);
    BigInteger reporterBalance = account(REPORTER).balance();
    BigInteger reporterRewards = ledger.rewards(REPORTER.address());
    BigInteger burned = ledger.system().burned();
    TxReceipt receipt = submit(REPORTER, evidence);
    assertThat(receipt.success()).isFalse();
    assertThat(receipt.error()).contains(message);
    assertThat(account(SIGNER)).isEqualTo(accused);
    assertThat(record(SIGNER)).isEqualTo(recordBefore);
    assertThat(account(REPORTER).balance()).isEqualTo(reporterBalance.subtract(MIN_FEE));
    assertThat(ledger.rewards(REPORTER.address())).isEqualTo(reporterRewards);
    assertThat(ledger.system().burned()).isEqualTo(burned.add(feeBurn()));
    assertSupplyInvariant();
  }

  // ---- slashing and jail ---------------------------------------------------------------------

  @Test
  void doubleSignSlashesStakeAndUnbondingBurnsAllButTheReportersTenthAndJailsTheKey() {
    commitUntil(2);
    // The signer starts unbonding before it is caught: that part is slashed as well.
    BigInteger unbonded = OPEN.multiply(BigInteger.valueOf(1_000));
    TxReceipt unstake = run(SIGNER, TxBodies.unstake(CHAIN_ID, 0, MIN_FEE, unbonded));
    assertThat(unstake.success()).isTrue();
    AccountState before = account(SIGNER);
    BigInteger supply = ledger.system().totalSupply();
    BigInteger burned = ledger.system().burned();

    TxReceipt receipt = submit(REPORTER, doublePrevote(SIGNER, CHAIN_ID, 2, 0));

    assertThat(receipt.error()).isEmpty();
    BigInteger slashed = slash(before.stake()).add(slash(before.unbonding()));
    BigInteger reward = slashed.divide(BigInteger.TEN);
    assertThat(slashed).isEqualTo(OPEN.multiply(BigInteger.valueOf(500)));
    assertThat(account(SIGNER).stake()).isEqualTo(before.stake().subtract(slash(before.stake())));
    assertThat(account(SIGNER).unbonding())
        .isEqualTo(before.unbonding().subtract(slash(before.unbonding())));
    assertThat(account(SIGNER).balance()).isEqualTo(before.balance());
    assertThat(ledger.rewards(REPORTER.address())).isEqualTo(reward);
    assertThat(ledger.system().burned())
        .isEqualTo(burned.add(slashed).subtract(reward).add(feeBurn()));
    assertThat(ledger.system().totalSupply())
        .isEqualTo(supply.subtract(slashed).add(reward).subtract(feeBurn()));
    assertThat(record(SIGNER).orElseThrow().punishment())
        .contains(
            new ValidatorRecord.Punishment(
                2,
                0,
                ValidatorRecord.Step.PREVOTE,
                slashed,
                REPORTER.address(),
                reward,
                receipt.height()));
    assertSupplyInvariant();

    // Jailed: it signs until a settlement of its stake announced after the jail takes over (the
    // one its slash scheduled, within the validator-set delay; the set taking over at its
    // unstake's settlement was announced a block ahead, before the jail: docs/adr/008), then
    // leaves the set; the other validator carries on alone.
    assertThat(inSet(SIGNER)).isTrue();
    commitUntil(receipt.height() + DELAY);
    assertThat(inSet(SIGNER)).isFalse();
    assertThat(ledger.nextValidators().find(SIGNER.address())).isEmpty();
    assertThat(inSet(VALIDATOR)).isTrue();
    assertThat(record(SIGNER).orElseThrow().terms())
        .containsExactly(new ValidatorRecord.Term(1, receipt.height() + DELAY - 1));
    assertSupplyInvariant();
  }

  @Test
  void evidenceAfterTheUnstakeLeftTheSetStillSlashesTheUnbondingStake() {
    // The attack: double-sign, unstake everything at once, and hope to have the money back before
    // the evidence lands. The set drops the stake after the validator-set delay, but the stake
    // stays unbonding, and slashable, for as long as evidence of what it signed can come.
    commitUntil(2);
    TxReceipt unstake = run(SIGNER, TxBodies.unstake(CHAIN_ID, 0, MIN_FEE, STAKE));
    assertThat(unstake.error()).isEmpty();
    AccountState before = account(SIGNER);
    commitUntil(unstake.height() + DELAY + 1);
    assertThat(inSet(SIGNER)).isFalse();
    assertThat(account(SIGNER).balance()).isEqualTo(before.balance());
    assertThat(account(SIGNER).unbonding()).isEqualTo(STAKE);

    TxReceipt receipt = submit(REPORTER, doublePrevote(SIGNER, CHAIN_ID, 2, 0));

    assertThat(receipt.error()).isEmpty();
    assertThat(record(SIGNER).orElseThrow().punishment().orElseThrow().slashed())
        .isEqualTo(slash(STAKE));
    assertThat(account(SIGNER).unbonding()).isEqualTo(STAKE.subtract(slash(STAKE)));
    assertThat(account(SIGNER).balance()).isEqualTo(before.balance());
    assertSupplyInvariant();

    // What the slash left is released on time, and nothing more.
    commitUntil(before.unbondingHeight());
    assertThat(account(SIGNER).unbonding()).isZero();
    assertThat(account(SIGNER).balance())
        .isEqualTo(before.balance().add(STAKE).subtract(slash(STAKE)));
    assertSupplyInvariant();
  }

  @Test
  void thePunishmentAndTermsSurviveARestart() {
    commitUntil(2);
    assertThat(submit(REPORTER, doublePrevote(SIGNER, CHAIN_ID, 1, 0)).success()).isTrue();
    commitUntil(ledger.height() + DELAY);
    ValidatorRecord record = record(SIGNER).orElseThrow();
    ledger.close();
    // Reopening checks that the stored objects hash to the head's state root.
    ledger = Ledger.open(dir, twoValidators());
    assertThat(record(SIGNER)).contains(record);
    assertThat(inSet(SIGNER)).isFalse();
  }

  @Test
  void aDoubleProposalIsSlashedLikeADoubleVote() {
    commitUntil(3);
    BigInteger stake = account(SIGNER).stake();
    TxReceipt receipt =
        submit(
            REPORTER,
            doubleProposal(
                SIGNER.address(),
                proposal(SIGNER, CHAIN_ID, 3, 0, block(1), -1),
                proposal(SIGNER, CHAIN_ID, 3, 0, block(2), -1)));
    assertThat(receipt.error()).isEmpty();
    assertThat(account(SIGNER).stake()).isEqualTo(stake.subtract(slash(stake)));
    assertThat(record(SIGNER).orElseThrow().punishment().orElseThrow().step())
        .isEqualTo(ValidatorRecord.Step.PROPOSAL);
    assertSupplyInvariant();
  }

  @Test
  void aJailedKeyCannotBondItsWayBackButMayUnstakeWhatIsLeft() {
    commitUntil(1);
    assertThat(submit(REPORTER, doublePrevote(SIGNER, CHAIN_ID, 1, 0)).success()).isTrue();
    TxReceipt stake = run(SIGNER, TxBodies.stake(CHAIN_ID, nonce(SIGNER), MIN_FEE, STAKE));
    assertThat(stake.success()).isFalse();
    assertThat(stake.error()).contains("jailed for good").contains("bond a new key");

    BigInteger left = account(SIGNER).stake();
    TxReceipt unstake = run(SIGNER, TxBodies.unstake(CHAIN_ID, nonce(SIGNER), MIN_FEE, left));
    assertThat(unstake.error()).isEmpty();
    BigInteger balance = account(SIGNER).balance();
    // Released the evidence age (the default unbonding) after the set without it takes over.
    commitUntil(unstake.height() + DELAY + MAX_AGE - 1);
    assertThat(account(SIGNER).stake()).isZero();
    assertThat(account(SIGNER).unbonding()).isEqualTo(left);
    assertThat(inSet(SIGNER)).isFalse();
    commit();
    assertThat(account(SIGNER).unbonding()).isZero();
    assertThat(account(SIGNER).balance()).isEqualTo(balance.add(left));
    assertSupplyInvariant();
  }

  @Test
  void reportingOneselfIsStillSlashedAndAlwaysALoss() {
    commitUntil(2);
    AccountState before = account(SIGNER);
    BigInteger wealthBefore =
        before.balance().add(before.stake()).add(ledger.rewards(SIGNER.address()));

    TxReceipt receipt = submit(SIGNER, doublePrevote(SIGNER, CHAIN_ID, 1, 0));

    assertThat(receipt.error()).isEmpty();
    BigInteger slashed = slash(before.stake());
    BigInteger reward = slashed.divide(BigInteger.TEN);
    assertThat(ledger.rewards(SIGNER.address())).isEqualTo(reward);
    AccountState after = account(SIGNER);
    BigInteger wealthAfter =
        after.balance().add(after.stake()).add(ledger.rewards(SIGNER.address()));
    assertThat(wealthAfter)
        .isEqualTo(wealthBefore.subtract(slashed).add(reward).subtract(MIN_FEE))
        .isLessThan(wealthBefore);
    assertThat(record(SIGNER).orElseThrow().jailed()).isTrue();
    assertSupplyInvariant();
  }

  @Test
  void aKeyIsPunishedOnceWhateverElseItSigned() {
    commitUntil(3);
    // Two reporters race with evidence in one block; a later report of another double sign of the
    // same key comes after. Only the first counts.
    ExecutedBlock block =
        commit(
            evidence(REPORTER, doublePrevote(SIGNER, CHAIN_ID, 2, 0)),
            evidence(USERS.get(1), doublePrevote(SIGNER, CHAIN_ID, 2, 0)));
    assertThat(block.receipts().get(0).success()).isTrue();
    assertThat(block.receipts().get(1).error())
        .contains("already punished for a double sign (PREVOTE at height 2 round 0");
    assertRefused(
        doubleVote(
            SIGNER.address(),
            vote(SIGNER, CHAIN_ID, 3, 1, VOTE_TYPE_PRECOMMIT, block(1)),
            vote(SIGNER, CHAIN_ID, 3, 1, VOTE_TYPE_PRECOMMIT, null)),
        "a key is slashed once and jailed for good");
  }

  @Test
  void theChainsLastValidatorIsSlashedButNotJailedOutOfTheSet(@TempDir Path alone) {
    ledger.close();
    ledger = Ledger.open(alone, LedgerFixture.genesis());
    commitUntil(1);
    BigInteger stake = account(VALIDATOR).stake();
    TxReceipt receipt = submit(REPORTER, doublePrevote(VALIDATOR, CHAIN_ID, 1, 0));
    assertThat(receipt.error()).isEmpty();
    commitUntil(receipt.height() + DELAY + 1);
    assertThat(account(VALIDATOR).stake()).isEqualTo(stake.subtract(slash(stake)));
    assertThat(record(VALIDATOR).orElseThrow().jailed()).isTrue();
    // Without it no block could ever be made again.
    assertThat(inSet(VALIDATOR)).isTrue();
  }

  // ---- who can be convicted, and when -------------------------------------------------------

  @Test
  void evidenceAgainstANonValidatorIsRefused() {
    commitUntil(2);
    assertRefused(doublePrevote(USERS.get(2), CHAIN_ID, 1, 0), "was not a validator at height 1");
  }

  @Test
  void aNewValidatorAnswersOnlyForHeightsFromItsJoining() {
    PrivateKey joiner = USERS.get(2);
    TxReceipt stake = run(joiner, TxBodies.stake(CHAIN_ID, 0, MIN_FEE, STAKE));
    long joined = stake.height() + DELAY;
    commitUntil(joined + 1);
    assertThat(ledger.system().validators().find(joiner.address())).isPresent();

    TxReceipt early = submit(REPORTER, doublePrevote(joiner, CHAIN_ID, joined - 1, 0));
    assertThat(early.error()).contains("was not a validator at height " + (joined - 1));
    TxReceipt convicted = submit(REPORTER, doublePrevote(joiner, CHAIN_ID, joined, 0));
    assertThat(convicted.error()).isEmpty();
    assertThat(account(joiner).stake()).isEqualTo(STAKE.subtract(slash(STAKE)));
    assertSupplyInvariant();
  }

  @Test
  void aValidatorThatLeftStillAnswersForTheHeightsItSigned() {
    commitUntil(1);
    // Down to 500 OPEN, below the minimum: it leaves the set after the delay.
    BigInteger keep = OPEN.multiply(BigInteger.valueOf(500));
    TxReceipt unstake = run(SIGNER, TxBodies.unstake(CHAIN_ID, 0, MIN_FEE, STAKE.subtract(keep)));
    long left = unstake.height() + DELAY;
    commitUntil(left + 1);
    assertThat(inSet(SIGNER)).isFalse();

    assertRefused(
        doublePrevote(SIGNER, CHAIN_ID, left, 0), "was not a validator at height " + left);
    TxReceipt convicted = submit(REPORTER, doublePrevote(SIGNER, CHAIN_ID, left - 1, 0));
    assertThat(convicted.error()).isEmpty();
    assertThat(account(SIGNER).stake()).isEqualTo(keep.subtract(slash(keep)));
    assertSupplyInvariant();
  }

  @Test
  void evidenceOlderThanTheMaximumAgeIsRefused() {
    commitUntil(MAX_AGE + 2);
    long tooOld = ledger.height() + 1 - MAX_AGE - 1;
    assertRefused(
        doublePrevote(SIGNER, CHAIN_ID, tooOld, 0),
        "evidence of height "
            + tooOld
            + " is too old: it could be included up to height "
            + (tooOld + MAX_AGE));
    long oldest = ledger.height() + 1 - MAX_AGE;
    assertThat(submit(REPORTER, doublePrevote(SIGNER, CHAIN_ID, oldest, 0)).error()).isEmpty();
  }

  @Test
  void evidenceOfThisOrALaterHeightIsRefused() {
    commitUntil(3);
    assertRefused(
        doublePrevote(SIGNER, CHAIN_ID, 4, 0),
        "evidence of height 4 can only be included in a later block, not in block 4");
    assertRefused(doublePrevote(SIGNER, CHAIN_ID, 9, 0), "can only be included in a later block");
  }

  @Test
  void forgedOrMalformedEvidenceCostsTheReporterItsFeeAndNothingElse() {
    commitUntil(2);
    Address accused = SIGNER.address();
    assertRefused(
        doubleVote(
            accused,
            vote(SIGNER, CHAIN_ID, 1, 0, VOTE_TYPE_PREVOTE, block(1)),
            vote(USERS.get(1), CHAIN_ID, 1, 0, VOTE_TYPE_PREVOTE, block(2))),
        "not by the accused " + accused);
    assertRefused(
        doubleVote(
            accused,
            vote(SIGNER, CHAIN_ID, 1, 0, VOTE_TYPE_PREVOTE, block(1)),
            vote(SIGNER, CHAIN_ID, 1, 0, VOTE_TYPE_PREVOTE, block(1))),
        "same block");
    assertRefused(SubmitEvidence.getDefaultInstance(), "neither a double vote nor a proposal");
  }
}
