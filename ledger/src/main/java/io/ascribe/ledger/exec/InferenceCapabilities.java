package io.ascribe.ledger.exec;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.AdapterRef;
import java.math.BigInteger;
import java.util.Optional;

/**
 * What the inference-receipt rules need from the domain that owns capability declarations and
 * adapters (tuning jobs): whether an account declared the inference capability and how much bond
 * stands behind it, what an adapter is, and a way to slash that bond when its executor loses a
 * challenge. The receipt rules read nothing else of that domain, so it can store these as it likes.
 */
public interface InferenceCapabilities {
  /** The chain's own capabilities and adapters (what every node uses). */
  static InferenceCapabilities onChain(io.ascribe.genesis.AiParams.Jobs jobs) {
    return new CapabilityLookups(new CapabilityRules(jobs));
  }

  /**
   * The bond {@code account} has posted behind its declared inference capability; empty when it has
   * not declared it (or its declaration lapsed).
   */
  Optional<BigInteger> executorBond(LedgerReader state, Address account);

  /** The adapter with id {@code id}, if one exists. */
  Optional<AdapterRef> adapter(LedgerReader state, Hash id);

  /**
   * Takes {@code bps} basis points of {@code account}'s executor bond out of it and out of wherever
   * the supply counts it, and returns the wei taken: the caller must burn or pay out exactly that
   * much, so the total supply stays exact.
   */
  BigInteger slashExecutorBond(StateOverlay state, Address account, int bps);
}
