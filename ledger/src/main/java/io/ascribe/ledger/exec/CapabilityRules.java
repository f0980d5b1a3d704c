package io.ascribe.ledger.exec;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.AiParams;
import io.ascribe.ledger.ai.Capability;
import io.ascribe.ledger.ai.WeightedDraw;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The inference capability: validators declare it by bonding {@code ai.jobs.executorBond}, which
 * makes them eligible to execute and verify tuning jobs, and give it up by undeclaring. Also the
 * bond's bookkeeping the job rules share: who is eligible now, binding a bond to a job, and
 * slashing it. Slashed wei is burned, never paid to anyone, so no one profits from a slash they
 * caused.
 */
final class CapabilityRules {
  private static final BigInteger BPS = BigInteger.valueOf(10_000);

  private final AiParams.Jobs params;

  CapabilityRules(AiParams.Jobs params) {
    this.params = params;
  }

  void declare(TxContext tx) {
    if (tx.body().getDeclareCapability().getUndeclare()) {
      undeclare(tx);
      return;
    }
    StateOverlay state = tx.state();
    if (state.system().validators().find(tx.sender()).isEmpty()) {
      throw new ActionFailedException(
          "only validators may declare the inference capability: "
              + tx.sender()
              + " is not in the validator set (stake at least the minimum validator stake first)");
    }
    Optional<Capability> existing = find(state, tx.sender());
    BigInteger held = existing.map(Capability::bond).orElse(BigInteger.ZERO);
    if (existing.isPresent()
        && existing.get().status() == Capability.Status.ACTIVE
        && held.compareTo(params.executorBond()) >= 0) {
      throw new ActionFailedException(
          tx.sender() + " has already declared the inference capability with a full bond");
    }
    BigInteger topUp = params.executorBond().subtract(held).max(BigInteger.ZERO);
    if (state.account(tx.sender()).balance().compareTo(topUp) < 0) {
      throw new ActionFailedException(
          "declaring the inference capability bonds "
              + Amount.formatOpen(topUp)
              + " OPEN, more than the balance "
              + Amount.formatOpen(state.account(tx.sender()).balance())
              + " OPEN left after the fee");
    }
    tx.debitSender(topUp);
    state.setSystem(state.system().bond(topUp));
    int openJobs = existing.map(Capability::openJobs).orElse(0);
    state.put(
        new Capability(
            tx.sender(), held.add(topUp), openJobs, Capability.Status.ACTIVE, tx.height()));
  }

  private void undeclare(TxContext tx) {
    StateOverlay state = tx.state();
    Capability capability =
        find(state, tx.sender())
            .filter(c -> c.status() != Capability.Status.WITHDRAWN)
            .orElseThrow(
                () ->
                    new ActionFailedException(
                        tx.sender() + " has not declared the inference capability"));
    if (capability.openJobs() > 0) {
      if (capability.status() == Capability.Status.RETIRING) {
        throw new ActionFailedException(
            tx.sender()
                + " still takes part in "
                + capability.openJobs()
                + " open tuning job(s); undeclare again once they are over to take the bond back");
      }
      // It takes no new jobs from now on; the bond stays until its open jobs are over.
      state.put(capability.withStatus(Capability.Status.RETIRING));
      return;
    }
    tx.creditBalance(tx.sender(), capability.bond());
    state.setSystem(state.system().bond(capability.bond().negate()));
    state.put(capability.withBond(BigInteger.ZERO).withStatus(Capability.Status.WITHDRAWN));
  }

  static Optional<Capability> find(LedgerReader state, Address account) {
    return state.object(Capability.key(account)).map(Capability.class::cast);
  }

  /**
   * The validators that may be drawn for a new job now, weighted by stake: an active capability
   * with a whole bond, in the validator set, and not in {@code excluded}.
   */
  List<WeightedDraw.Candidate> eligible(LedgerReader state, Set<Address> excluded) {
    List<WeightedDraw.Candidate> out = new ArrayList<>();
    for (ValidatorSet.Validator v : state.system().validators().validators()) {
      if (!excluded.contains(v.address())
          && find(state, v.address()).filter(c -> c.takesJobs(params.executorBond())).isPresent()) {
        out.add(new WeightedDraw.Candidate(v.address(), v.power()));
      }
    }
    return out;
  }

  /** Holds each account's bond for one more open job. */
  static void bind(StateOverlay state, Collection<Address> accounts) {
    for (Address account : accounts) {
      state.put(find(state, account).orElseThrow().withOpenJobs(1));
    }
  }

  /** Lets each account's bond go from one open job (the job is over). */
  static void release(StateOverlay state, Collection<Address> accounts) {
    for (Address account : accounts) {
      state.put(find(state, account).orElseThrow().withOpenJobs(-1));
    }
  }

  /**
   * Burns {@code bps} of a full bond from {@code account}'s bond, or what is left of it if less; a
   * fixed amount per offence, so a fraud costs the same however many other jobs slashed it.
   *
   * @return the wei slashed
   */
  BigInteger slash(StateOverlay state, Address account, int bps) {
    BigInteger amount = take(state, account, bps);
    state.setSystem(state.system().burn(amount));
    return amount;
  }

  /**
   * Takes {@code bps} of a full bond out of {@code account}'s bond (and out of the bonds the supply
   * counts), capped at what is left, and returns it: the caller burns or pays out exactly that.
   */
  BigInteger take(StateOverlay state, Address account, int bps) {
    Capability capability = find(state, account).orElseThrow();
    BigInteger amount =
        params.executorBond().multiply(BigInteger.valueOf(bps)).divide(BPS).min(capability.bond());
    state.put(capability.withBond(capability.bond().subtract(amount)));
    state.setSystem(state.system().bond(amount.negate()));
    return amount;
  }

  /** The full bond a capability needs to take work. */
  BigInteger requiredBond() {
    return params.executorBond();
  }
}
