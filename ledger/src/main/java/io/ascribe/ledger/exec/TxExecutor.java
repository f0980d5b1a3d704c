package io.ascribe.ledger.exec;

import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.ai.EpochRewards;
import io.ascribe.ledger.ai.ValidatorSetUpdate;
import io.ascribe.ledger.state.SystemState;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ledger's transition rules: pure functions of a state and a transaction, so every validator
 * computes the same result. This class owns what every transaction shares (includability, the fee
 * and its split, what opens a block: stake changes, job deadlines and inference payouts falling
 * due, and the epoch's reward root); each kind's action lives in a rule class per domain ({@link
 * AccountRules}, {@link DataRules}, {@link CapabilityRules}, {@link TuningJobRules}, with tuning
 * jobs' ends in {@link JobOutcomes}, {@link InferenceReceiptRules}, {@link SlashingRules} and
 * {@link BridgeRules}). A transaction is either includable (right chain, next nonce, fee at least
 * the minimum and covered by the balance), in which case it pays its fee and uses its nonce
 * whatever its action does, or it is rejected and changes nothing.
 */
public final class TxExecutor {
  private static final BigInteger BPS = BigInteger.valueOf(ProtocolParams.FeeSplit.TOTAL_BPS);

  private final long chainId;
  private final ProtocolParams params;
  private final AccountRules accounts;
  private final DataRules data;
  private final CapabilityRules capabilities;
  private final JobOutcomes jobOutcomes;
  private final TuningJobRules jobs;
  private final InferenceReceiptRules receipts;
  private final SlashingRules slashing;
  private final BridgeRules bridge;

  /**
   * @param bridge the OpenBridge whose deposits the chain credits; empty where it credits none
   */
  public TxExecutor(long chainId, ProtocolParams params, Optional<Genesis.Bridge> bridge) {
    this(chainId, params, bridge, InferenceCapabilities.onChain(params.ai().jobs()));
  }

  /**
   * As {@link #TxExecutor(long, ProtocolParams, Optional)}, with the inference-receipt rules
   * learning who declared the inference capability, and what adapters exist, from {@code inference}
   * (the chain's own objects unless a test isolates the receipt rules from the tuning-job domain).
   */
  public TxExecutor(
      long chainId,
      ProtocolParams params,
      Optional<Genesis.Bridge> bridge,
      InferenceCapabilities inference) {
    this.chainId = chainId;
    this.params = params;
    this.accounts = new AccountRules(params);
    this.data = new DataRules(params);
    this.capabilities = new CapabilityRules(params.ai().jobs());
    this.jobOutcomes = new JobOutcomes(params.ai(), capabilities);
    this.jobs = new TuningJobRules(params.ai().jobs(), capabilities, jobOutcomes);
    this.receipts = new InferenceReceiptRules(chainId, params, inference);
    this.slashing = new SlashingRules(chainId, params);
    this.bridge = new BridgeRules(bridge);
  }

  /**
   * Checks that {@code tx} may be included now.
   *
   * @throws TxRejectedException saying why not
   */
  public void checkIncludable(StateReader state, SignedTransaction tx, Address sender) {
    TxBody body = tx.body();
    if (body.getChainId() != chainId) {
      throw new TxRejectedException(
          "wrong chain id " + body.getChainId() + ": this chain is " + chainId);
    }
    AccountState account = state.account(sender);
    if (body.getNonce() != account.nonce()) {
      throw new TxRejectedException(
          "nonce " + body.getNonce() + " is not the sender's next nonce " + account.nonce());
    }
    BigInteger fee = fee(tx);
    if (fee.compareTo(params.minFee()) < 0) {
      throw new TxRejectedException(
          "fee "
              + Amount.formatOpen(fee)
              + " OPEN is below the minimum fee "
              + Amount.formatOpen(params.minFee())
              + " OPEN");
    }
    if (account.balance().compareTo(fee) < 0) {
      throw new TxRejectedException(
          "balance " + Amount.formatOpen(account.balance()) + " OPEN cannot pay the fee");
    }
  }

  /** The fee a transaction offers, in wei. */
  public static BigInteger fee(SignedTransaction tx) {
    return Amount.decode(tx.body().getFee().toByteArray(), "fee");
  }

  /**
   * Starts block {@code height}: returns the unbonding stake whose unbonding period is over to its
   * balance, settles the stake changes whose delay has passed (voting power follows the bonded
   * stake; a key jailed for a double sign leaves the set, unless it is all that is left, since a
   * chain without validators could never make another block), ends or moves on the tuning jobs
   * whose deadline was the block before, and pays out the inference receipt batches whose challenge
   * window has closed.
   */
  public void beginBlock(StateOverlay state, long height) {
    accounts.releaseDue(state, height);
    settleStakeChanges(state, height);
    jobOutcomes.onBlock(state, height);
    receipts.settleDue(state, height);
  }

  /**
   * Stake changes take effect in two steps, one block apart (docs/adr/008): at the beginning of
   * block h the set that signs block h+1 is computed from the changes due by then and announced
   * (kept in the state, and, when the EVM distributor's hash of it differs, recorded as a {@link
   * ValidatorSetUpdate} that block h's precommits sign), and the unbonding it leaves out is given
   * its release, {@code unbondingBlocks} after h+1; at the beginning of block h+1 it takes over. So
   * the outgoing set knows its successor before its last block is decided, from the committed chain
   * alone, as it must for a digest its precommits sign. A change that moves the distributor's set
   * is never announced at an epoch's last block, whose precommits sign the epoch root; it waits one
   * block.
   */
  private void settleStakeChanges(StateOverlay state, long height) {
    SystemState system = state.system();
    SystemState.Rotation rotation = system.rotation();
    if (rotation.upcoming().isPresent() && rotation.upcoming().get().height() <= height) {
      SystemState.Upcoming upcoming = rotation.upcoming().get();
      slashing.recordTerms(state, height, system.validators(), upcoming.validators());
      rotation = new SystemState.Rotation(rotation.updates(), Optional.empty());
      system = state.system().withValidators(upcoming.validators(), system.pending());
      system = system.withRotation(rotation);
      state.setSystem(system);
    }
    announce(state, height);
  }

  /** Announces the set that signs block {@code height + 1}, if changes are due by then. */
  private void announce(StateOverlay state, long height) {
    SystemState system = state.system();
    List<SystemState.Pending> due = new ArrayList<>();
    List<SystemState.Pending> later = new ArrayList<>();
    for (SystemState.Pending p : system.pending()) {
      (p.height() <= height + 1 ? due : later).add(p);
    }
    if (due.isEmpty()) {
      return;
    }
    List<ValidatorSet.Validator> validators = new ArrayList<>(system.validators().validators());
    List<ValidatorSet.Validator> jailed = new ArrayList<>();
    Set<Address> settled = new TreeSet<>();
    for (SystemState.Pending p : due) {
      settled.add(p.address());
    }
    for (Address address : settled) {
      AccountState account = state.account(address);
      validators.removeIf(v -> v.address().equals(address));
      if (account.stake().compareTo(params.minValidatorStake()) >= 0) {
        ValidatorSet.Validator v = new ValidatorSet.Validator(address, account.stake());
        (SlashingRules.jailed(state, address) ? jailed : validators).add(v);
      }
    }
    if (validators.isEmpty()) {
      validators.addAll(jailed);
    }
    ValidatorSet next = new ValidatorSet(validators);
    io.ascribe.core.settlement.ValidatorSet evmSet = next.settlementSet();
    boolean movesDistributor = !evmSet.hash().equals(system.validators().settlementSet().hash());
    long updates = system.rotation().updates();
    if (movesDistributor) {
      if (params.epochLength() > 1 && height % params.epochLength() == 0) {
        return; // this block's precommits sign the epoch root; announce at the next
      }
      state.put(new ValidatorSetUpdate(updates, height, evmSet));
      updates++;
    }
    SystemState.Upcoming upcoming =
        new SystemState.Upcoming(height + 1, next, List.copyOf(settled));
    state.setSystem(
        system
            .withValidators(system.validators(), later)
            .withRotation(new SystemState.Rotation(updates, Optional.of(upcoming))));
    accounts.scheduleReleases(state, settled, height + 1);
  }

  /**
   * Opens block {@code height}, after {@link #beginBlock}: at an epoch's last block (height a
   * multiple of the epoch length) it records the epoch's reward distribution in the state and
   * returns it; its root is the value the header's {@code rewards_root} carries and the EVM
   * distributor verifies claims against.
   *
   * <p>The distribution is taken as the block begins, before its transactions: the cumulative
   * rewards through the previous block. So every block proposed at that height, in any round and by
   * any proposer, carries the same root, and the EIP-712 EpochRoot the validators sign beside their
   * precommits is known from the committed chain alone. Were it taken after the transactions, the
   * root would depend on which proposal is decided (the proposer earns the block's fees): a
   * validator could sign different roots for one epoch in different rounds, and signatures from
   * several rounds could add up to a quorum for a root no block was decided with. The epoch's last
   * block's own fees count towards the next epoch.
   *
   * @param signers the validators that sign block {@code height}
   */
  public Optional<EpochRewards> openBlock(StateOverlay state, long height, ValidatorSet signers) {
    if (height == 0 || height % params.epochLength() != 0) {
      return Optional.empty();
    }
    EpochRewards rewards =
        EpochRewards.of(
            height / params.epochLength(), height, state.rewards(), signers.settlementSet().hash());
    state.put(rewards);
    return Optional.of(rewards);
  }

  /**
   * Applies an includable transaction (checked with {@link #checkIncludable}) and returns its
   * receipt. The fee and nonce are settled first; if the action then fails, its writes are dropped
   * and the receipt says why.
   */
  public TxReceipt apply(
      StateOverlay state, SignedTransaction tx, Address sender, BlockContext block, int index) {
    checkIncludable(state, tx, sender);
    BigInteger fee = fee(tx);
    AccountState account = state.account(sender);
    state.put(
        sender,
        account.withBalance(account.balance().subtract(fee)).withNonce(account.nonce() + 1));
    payFee(state, fee, block.proposer());

    String error = "";
    StateOverlay action = new StateOverlay(state);
    TxContext context =
        new TxContext(
            action, sender, tx.body(), block.height(), block.parentHash(), block.proposer());
    try {
      switch (tx.body().getKindCase()) {
        case TRANSFER -> accounts.transfer(context);
        case STAKE -> accounts.stake(context);
        case UNSTAKE -> accounts.unstake(context);
        case CREATE_DATANET -> data.createDatanet(context);
        case CONTRIBUTE -> data.contribute(context);
        case WITHDRAW_CONTRIBUTION -> data.withdraw(context);
        case REGISTER_MODEL -> data.registerModel(context);
        case DECLARE_CAPABILITY -> capabilities.declare(context);
        case SUBMIT_TUNING_JOB -> jobs.submit(context);
        case POST_TUNING_RESULT -> jobs.post(context);
        case ATTEST -> jobs.attest(context);
        case SUBMIT_INFERENCE_RECEIPTS -> receipts.submit(context);
        case CHALLENGE_RECEIPT -> receipts.challenge(context);
        case VOTE_ON_CHALLENGE -> receipts.vote(context);
        case SUBMIT_EVIDENCE -> slashing.submitEvidence(context);
        case ATTEST_DEPOSIT -> bridge.attestDeposit(context);
        case WITHDRAW_TO_EVM -> bridge.withdrawToEvm(context);
        case KIND_NOT_SET -> throw new ActionFailedException("transaction has no kind");
      }
      action.mergeInto(state);
    } catch (ActionFailedException | IllegalArgumentException failed) {
      error = failed.getMessage();
    }
    return new TxReceipt(tx.hash(), block.height(), index, sender, error.isEmpty(), error, fee);
  }

  /**
   * Burns the burn share and credits the rest to the proposer's cumulative reward, claimable on the
   * EVM chain with the next epoch's proof: every fee share, the validators' included, is paid the
   * same way, so one reward root settles them all.
   */
  private void payFee(StateOverlay state, BigInteger fee, Address proposer) {
    BigInteger burn = fee.multiply(BigInteger.valueOf(params.feeSplit().burnBps())).divide(BPS);
    state.setSystem(state.system().burn(burn));
    Rewards.credit(state, proposer, fee.subtract(burn));
  }

  /** See {@link TxContext#objectId}. */
  public static Hash objectId(String kind, Address creator, long nonce) {
    return TxContext.objectId(kind, creator, nonce);
  }
}
