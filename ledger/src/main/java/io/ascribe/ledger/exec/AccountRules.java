package io.ascribe.ledger.exec;

import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.state.SystemState;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Transfers and staking: moving balances, bonding stake and starting its unbonding. Stake changes
 * take effect on the validator set after the genesis delay (see {@link TxExecutor#beginBlock}).
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
    long release = tx.height() + params.validatorSetDelay();
    state.put(
        tx.sender(),
        account.withStake(remaining).withUnbonding(account.unbonding().add(amount), release));
    schedule(state, tx.sender(), release);
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
