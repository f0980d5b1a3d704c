package io.ascribe.ledger.exec;

import io.ascribe.core.types.Address;
import io.ascribe.ledger.ai.RewardAccount;
import java.math.BigInteger;

/**
 * Credits to accounts' cumulative rewards, the amounts the epoch's reward root commits to and the
 * EVM distributor pays out. Every credit is wei already taken from some balance or escrow, so the
 * total supply is unchanged; the system record tracks how much of it is claimable.
 */
public final class Rewards {
  private Rewards() {}

  /** Adds {@code amount} to {@code account}'s cumulative reward. */
  public static void credit(StateOverlay state, Address account, BigInteger amount) {
    if (amount.signum() == 0) {
      return;
    }
    BigInteger before =
        state
            .object(RewardAccount.key(account))
            .map(o -> ((RewardAccount) o).cumulative())
            .orElse(BigInteger.ZERO);
    state.put(new RewardAccount(account, before.add(amount)));
    state.setSystem(state.system().credit(amount));
  }
}
