package io.ascribe.ledger.exec;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.AdapterRef;
import io.ascribe.ledger.ai.Capability;
import java.math.BigInteger;
import java.util.Optional;

/**
 * The inference-receipt rules' view of the tuning-job domain, read from the chain's own objects: an
 * executor is an account whose {@link Capability} takes work (active, bond whole), an adapter is a
 * registered {@link Adapter}, and a lost challenge slashes the capability bond.
 */
final class CapabilityLookups implements InferenceCapabilities {
  private final CapabilityRules capabilities;

  CapabilityLookups(CapabilityRules capabilities) {
    this.capabilities = capabilities;
  }

  @Override
  public Optional<BigInteger> executorBond(LedgerReader state, Address account) {
    return CapabilityRules.find(state, account)
        .filter(c -> c.takesJobs(capabilities.requiredBond()))
        .map(Capability::bond);
  }

  @Override
  public Optional<AdapterRef> adapter(LedgerReader state, Hash id) {
    return state
        .object(Adapter.key(id))
        .map(Adapter.class::cast)
        .map(a -> new AdapterRef(a.id(), a.baseModel(), a.fineTuner()));
  }

  @Override
  public BigInteger slashExecutorBond(StateOverlay state, Address account, int bps) {
    return CapabilityRules.find(state, account).isPresent()
        ? capabilities.take(state, account, bps)
        : BigInteger.ZERO;
  }
}
