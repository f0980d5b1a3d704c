package io.ascribe.ledger.exec;

import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.state.SystemState;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ledger's transition rules for transfer, stake and unstake: pure functions of a state and a
 * transaction, so every validator computes the same result. A transaction is either includable
 * (right chain, next nonce, fee at least the minimum and covered by the balance), in which case it
 * pays its fee and uses its nonce whatever its action does, or it is rejected and changes nothing.
 */
public final class TxExecutor {
  private static final BigInteger BPS = BigInteger.valueOf(ProtocolParams.FeeSplit.TOTAL_BPS);

  private final long chainId;
  private final ProtocolParams params;

  public TxExecutor(long chainId, ProtocolParams params) {
    this.chainId = chainId;
    this.params = params;
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
   * Settles, at the start of block {@code height}, the stake changes whose delay has passed:
   * unbonded stake returns to the balance and voting power follows the bonded stake.
   */
  public void beginBlock(StateOverlay state, long height) {
    SystemState system = state.system();
    List<SystemState.Pending> due = new ArrayList<>();
    List<SystemState.Pending> later = new ArrayList<>();
    for (SystemState.Pending p : system.pending()) {
      (p.height() <= height ? due : later).add(p);
    }
    if (due.isEmpty()) {
      return;
    }
    List<ValidatorSet.Validator> validators = new ArrayList<>(system.validators().validators());
    for (SystemState.Pending p : due) {
      AccountState account = state.account(p.address());
      if (account.unbonding().signum() > 0 && account.unbondingHeight() <= height) {
        account = account.withBalance(account.balance().add(account.unbonding()));
        account = account.withUnbonding(BigInteger.ZERO, 0);
        state.put(p.address(), account);
      }
      validators.removeIf(v -> v.address().equals(p.address()));
      if (account.stake().compareTo(params.minValidatorStake()) >= 0) {
        validators.add(new ValidatorSet.Validator(p.address(), account.stake()));
      }
    }
    state.setSystem(
        new SystemState(
            new ValidatorSet(validators), later, system.totalSupply(), system.burned()));
  }

  /**
   * Applies an includable transaction (checked with {@link #checkIncludable}) and returns its
   * receipt.
   */
  public TxReceipt apply(
      StateOverlay state,
      SignedTransaction tx,
      Address sender,
      long height,
      int index,
      Address proposer) {
    checkIncludable(state, tx, sender);
    BigInteger fee = fee(tx);
    AccountState account = state.account(sender);
    state.put(
        sender,
        account.withBalance(account.balance().subtract(fee)).withNonce(account.nonce() + 1));
    payFee(state, fee, proposer);

    String error = "";
    try {
      TxBody body = tx.body();
      switch (body.getKindCase()) {
        case TRANSFER -> transfer(state, sender, body);
        case STAKE -> stake(state, sender, body, height);
        case UNSTAKE -> unstake(state, sender, body, height);
        case KIND_NOT_SET -> throw new ActionFailed("transaction has no kind");
      }
    } catch (ActionFailed | IllegalArgumentException failed) {
      error = failed.getMessage();
    }
    return new TxReceipt(tx.hash(), height, index, sender, error.isEmpty(), error, fee);
  }

  private void payFee(StateOverlay state, BigInteger fee, Address proposer) {
    BigInteger burn = fee.multiply(BigInteger.valueOf(params.feeSplit().burnBps())).divide(BPS);
    BigInteger toProposer = fee.subtract(burn);
    AccountState p = state.account(proposer);
    state.put(proposer, p.withBalance(p.balance().add(toProposer)));
    SystemState system = state.system();
    state.setSystem(
        new SystemState(
            system.validators(),
            system.pending(),
            system.totalSupply().subtract(burn),
            system.burned().add(burn)));
  }

  private void transfer(StateOverlay state, Address sender, TxBody body) {
    if (body.getTransfer().getTo().size() != Address.SIZE) {
      throw new ActionFailed("transfer recipient must be a 20-byte address");
    }
    Address to = Address.wrap(body.getTransfer().getTo().toByteArray());
    BigInteger amount = Amount.decode(body.getTransfer().getAmount().toByteArray(), "amount");
    AccountState from = state.account(sender);
    requireBalance(from, amount);
    state.put(sender, from.withBalance(from.balance().subtract(amount)));
    AccountState recipient = state.account(to);
    state.put(to, recipient.withBalance(recipient.balance().add(amount)));
  }

  private void stake(StateOverlay state, Address sender, TxBody body, long height) {
    BigInteger amount = Amount.decode(body.getStake().getAmount().toByteArray(), "amount");
    if (amount.signum() == 0) {
      throw new ActionFailed("stake amount must be positive");
    }
    AccountState account = state.account(sender);
    requireBalance(account, amount);
    state.put(
        sender,
        account
            .withBalance(account.balance().subtract(amount))
            .withStake(account.stake().add(amount)));
    schedule(state, sender, height + params.validatorSetDelay());
  }

  private void unstake(StateOverlay state, Address sender, TxBody body, long height) {
    BigInteger amount = Amount.decode(body.getUnstake().getAmount().toByteArray(), "amount");
    AccountState account = state.account(sender);
    if (amount.signum() == 0 || amount.compareTo(account.stake()) > 0) {
      throw new ActionFailed(
          "unstake amount must be positive and at most the bonded stake "
              + Amount.formatOpen(account.stake())
              + " OPEN");
    }
    BigInteger remaining = account.stake().subtract(amount);
    if (powerAfterSettling(state, sender, remaining).signum() == 0) {
      throw new ActionFailed("unstaking would leave the chain without validators");
    }
    long release = height + params.validatorSetDelay();
    state.put(
        sender,
        account.withStake(remaining).withUnbonding(account.unbonding().add(amount), release));
    schedule(state, sender, release);
  }

  /** Voting power once every pending change settles, with {@code sender}'s stake replaced. */
  private BigInteger powerAfterSettling(StateReader state, Address sender, BigInteger senderStake) {
    Set<Address> candidates = new HashSet<>();
    state.system().validators().validators().forEach(v -> candidates.add(v.address()));
    state.system().pending().forEach(p -> candidates.add(p.address()));
    candidates.add(sender);
    BigInteger power = BigInteger.ZERO;
    for (Address candidate : candidates) {
      BigInteger stake = candidate.equals(sender) ? senderStake : state.account(candidate).stake();
      if (stake.compareTo(params.minValidatorStake()) >= 0) {
        power = power.add(stake);
      }
    }
    return power;
  }

  private static void schedule(StateOverlay state, Address address, long height) {
    SystemState system = state.system();
    List<SystemState.Pending> pending = new ArrayList<>(system.pending());
    pending.add(new SystemState.Pending(height, address));
    state.setSystem(
        new SystemState(system.validators(), pending, system.totalSupply(), system.burned()));
  }

  private static void requireBalance(AccountState account, BigInteger amount) {
    if (account.balance().compareTo(amount) < 0) {
      throw new ActionFailed(
          "amount "
              + Amount.formatOpen(amount)
              + " OPEN exceeds the balance "
              + Amount.formatOpen(account.balance())
              + " OPEN left after the fee");
    }
  }

  /** An action that failed after its fee was paid. */
  private static final class ActionFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ActionFailed(String message) {
      super(message);
    }
  }
}
