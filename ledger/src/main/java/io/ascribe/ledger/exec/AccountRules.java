package io.ascribe.ledger.exec;

import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.state.SystemState;
import io.ascribe.ledger.state.UnbondingSchedule;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Transfers and staking: moving balances, bonding stake, and unbonding it. Stake changes take
 * effect on the validator set after the genesis delay (see {@link TxExecutor#beginBlock}); unstaked
 * stake then stays unbonding, and slashable, for {@code unbondingBlocks} more blocks before it
 * returns to the balance, so evidence of anything it signed lands while it is still there
 * (docs/adr/006).
 *
 * <p>An account's unbonding is one merged amount with one release: a second unstake before the
 * first is released adds to the amount, and the whole of it waits {@code unbondingBlocks} after the
 * set without the new part takes over. Cosmos keeps an entry per unstake instead; one amount keeps
 * the account's state-tree leaf as it is (docs/adr/001) and can only release later, never earlier,
 * than the evidence age needs.
 */
final class AccountRules {
  private final ProtocolParams params;

  AccountRules(ProtocolParams params) {
    this.params = params;
  }

  void transfer(TxContext tx) {
    var transfer = tx.body().getTransfer();
    Address to = TxContext.address(transfer.getTo(), "transfer recipient");
    BigInteger amount = TxContext.amount(transfer.getAmount(), "amount");
    tx.debitSender(amount);
    tx.creditBalance(to, amount);
  }

  void stake(TxContext tx) {
    BigInteger amount = TxContext.amount(tx.body().getStake().getAmount(), "amount");
    if (amount.signum() == 0) {
      throw new ActionFailedException("stake amount must be positive");
    }
    StateOverlay state = tx.state();
    if (SlashingRules.jailed(state, tx.sender())) {
      throw new ActionFailedException(
          tx.sender()
              + " is jailed for good for a double sign: its stake can only be unstaked; bond a"
              + " new key to validate");
    }
    AccountState account = state.account(tx.sender());
    TxContext.requireBalance(account, amount);
    state.put(
        tx.sender(),
        account
            .withBalance(account.balance().subtract(amount))
            .withStake(account.stake().add(amount)));
    schedule(state, tx.sender(), tx.height() + params.validatorSetDelay());
  }

  void unstake(TxContext tx) {
    BigInteger amount = TxContext.amount(tx.body().getUnstake().getAmount(), "amount");
    StateOverlay state = tx.state();
    AccountState account = state.account(tx.sender());
    if (amount.signum() == 0 || amount.compareTo(account.stake()) > 0) {
      throw new ActionFailedException(
          "unstake amount must be positive and at most the bonded stake "
              + Amount.formatOpen(account.stake())
              + " OPEN");
    }
    BigInteger remaining = account.stake().subtract(amount);
    if (powerAfterSettling(state, tx.sender(), remaining).signum() == 0) {
      throw new ActionFailedException("unstaking would leave the chain without validators");
    }
    // Until the set without this stake is announced, the release height is the expected one:
    // that set takes over max(2, delay) blocks on (announced at the next block's start at the
    // earliest), one later when an epoch's last block defers the announcement.
    long takesOver = tx.height() + Math.max(2, params.validatorSetDelay());
    state.put(
        tx.sender(),
        account
            .withStake(remaining)
            .withUnbonding(account.unbonding().add(amount), takesOver + params.unbondingBlocks()));
    SystemState system = state.system();
    state.setSystem(system.withUnbonding(system.unbonding().without(tx.sender())));
    schedule(state, tx.sender(), tx.height() + params.validatorSetDelay());
  }

  /**
   * Schedules the release of each of {@code accounts}' unbonding that has none yet, now that the
   * validator set announced to take over at {@code takesOver} was computed without it: it returns
   * to the balance {@code unbondingBlocks} after the last block it could sign.
   */
  void scheduleReleases(StateOverlay state, Iterable<Address> accounts, long takesOver) {
    long release = takesOver + params.unbondingBlocks();
    for (Address address : accounts) {
      AccountState account = state.account(address);
      UnbondingSchedule schedule = state.system().unbonding();
      if (account.unbonding().signum() > 0 && schedule.of(address).isEmpty()) {
        state.put(address, account.withUnbonding(account.unbonding(), release));
        state.setSystem(state.system().withUnbonding(schedule.schedule(release, address)));
      }
    }
  }

  /** Returns the unbonding due by block {@code height} to its accounts' balances. */
  void releaseDue(StateOverlay state, long height) {
    UnbondingSchedule schedule = state.system().unbonding();
    List<UnbondingSchedule.Release> due = schedule.due(height);
    if (due.isEmpty()) {
      return;
    }
    for (UnbondingSchedule.Release release : due) {
      AccountState account = state.account(release.address());
      state.put(
          release.address(),
          account
              .withBalance(account.balance().add(account.unbonding()))
              .withUnbonding(BigInteger.ZERO, 0));
    }
    state.setSystem(state.system().withUnbonding(schedule.withoutDue(height)));
  }

  /**
   * Voting power once every pending change settles, with {@code sender}'s stake replaced; jailed
   * keys count for nothing.
   */
  private BigInteger powerAfterSettling(
      LedgerReader state, Address sender, BigInteger senderStake) {
    Set<Address> candidates = new HashSet<>();
    state.system().validators().validators().forEach(v -> candidates.add(v.address()));
    state.system().pending().forEach(p -> candidates.add(p.address()));
    state
        .system()
        .rotation()
        .upcoming()
        .ifPresent(
            u -> {
              candidates.addAll(u.accounts());
              u.validators().validators().forEach(v -> candidates.add(v.address()));
            });
    candidates.add(sender);
    BigInteger power = BigInteger.ZERO;
    for (Address candidate : candidates) {
      BigInteger stake = candidate.equals(sender) ? senderStake : state.account(candidate).stake();
      if (stake.compareTo(params.minValidatorStake()) >= 0
          && !SlashingRules.jailed(state, candidate)) {
        power = power.add(stake);
      }
    }
    return power;
  }

  /** Settles {@code address}'s stake at {@code height}: see {@link TxExecutor#beginBlock}. */
  static void schedule(StateOverlay state, Address address, long height) {
    SystemState system = state.system();
    List<SystemState.Pending> pending = new ArrayList<>(system.pending());
    pending.add(new SystemState.Pending(height, address));
    state.setSystem(system.withValidators(system.validators(), pending));
  }
}
