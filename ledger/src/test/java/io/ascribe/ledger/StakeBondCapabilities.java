package io.ascribe.ledger;

import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.AdapterRef;
import io.ascribe.ledger.exec.InferenceCapabilities;
import io.ascribe.ledger.exec.LedgerReader;
import io.ascribe.ledger.exec.StateOverlay;
import io.ascribe.ledger.state.SystemState;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for the tuning-job domain (capability declarations and adapters) until it is merged:
 * an account has declared the inference capability once the test {@linkplain #declare declares} it,
 * and its bond is its bonded stake while that is at least the executor bond; adapters are
 * {@linkplain #addAdapter added} by the test. Slashing takes the share out of the stake and lets
 * the validator set follow at the next block. The declarations and adapters live in this object
 * rather than in the state, which is enough for tests that keep one instance per chain.
 */
public final class StakeBondCapabilities implements InferenceCapabilities {
  private final BigInteger executorBond;
  private final Set<Address> declared = ConcurrentHashMap.newKeySet();
  private final Map<Hash, AdapterRef> adapters = new ConcurrentHashMap<>();

  public StakeBondCapabilities(BigInteger executorBond) {
    this.executorBond = executorBond;
  }

  /** {@code account} declares the inference capability (DeclareCapability, once merged). */
  public void declare(Address account) {
    declared.add(account);
  }

  /** An adapter now exists (a finalised tuning job, once merged). */
  public void addAdapter(AdapterRef adapter) {
    adapters.put(adapter.id(), adapter);
  }

  @Override
  public Optional<BigInteger> executorBond(LedgerReader state, Address account) {
    BigInteger stake = state.account(account).stake();
    return declared.contains(account) && stake.compareTo(executorBond) >= 0
        ? Optional.of(stake)
        : Optional.empty();
  }

  @Override
  public Optional<AdapterRef> adapter(LedgerReader state, Hash id) {
    return Optional.ofNullable(adapters.get(id));
  }

  @Override
  public BigInteger slashExecutorBond(StateOverlay state, Address account, int bps) {
    AccountState before = state.account(account);
    BigInteger slashed =
        before.stake().multiply(BigInteger.valueOf(bps)).divide(BigInteger.TEN.pow(4));
    state.put(account, before.withStake(before.stake().subtract(slashed)));
    // Height 0 is always due: the validator set follows the stake at the next block's start.
    SystemState system = state.system();
    List<SystemState.Pending> pending = new ArrayList<>(system.pending());
    pending.add(new SystemState.Pending(0, account));
    state.setSystem(system.withValidators(system.validators(), pending));
    return slashed;
  }
}
