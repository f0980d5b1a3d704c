package io.ascribe.genesis;

import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The chain's starting point: who validates, who holds what, the protocol parameters and, when the
 * chain takes deposits from an EVM chain, which bridge it credits. Every node of a chain loads the
 * same genesis; {@link GenesisLoader} builds one from JSON and checks every field, and {@link
 * DevnetGenesis} is the built-in one for local development.
 */
public record Genesis(
    long chainId,
    Instant genesisTime,
    List<GenesisValidator> validators,
    List<Allocation> allocations,
    ProtocolParams params,
    Optional<Bridge> bridge) {

  public Genesis {
    validators = List.copyOf(validators);
    allocations = List.copyOf(allocations);
  }

  /** A genesis without a bridge: the chain refuses deposit attestations. */
  public Genesis(
      long chainId,
      Instant genesisTime,
      List<GenesisValidator> validators,
      List<Allocation> allocations,
      ProtocolParams params) {
    this(chainId, genesisTime, validators, allocations, params, Optional.empty());
  }

  /** The same genesis crediting deposits of {@code newBridge}. */
  public Genesis withBridge(Bridge newBridge) {
    return new Genesis(
        chainId, genesisTime, validators, allocations, params, Optional.of(newBridge));
  }

  /** A validator at height 1: its account address (the key that signs its votes) and bond. */
  public record GenesisValidator(Address address, BigInteger stake) {}

  /** An initial balance, in wei. */
  public record Allocation(Address address, BigInteger balance) {}

  /**
   * The one OpenBridge whose deposits this chain credits, fixed for the chain's life so that every
   * validator checks attestations against the same contract.
   *
   * @param evmChainId the EVM chain the bridge is deployed on
   * @param address the OpenBridge contract
   * @param confirmations blocks a deposit needs on the EVM chain (its own block counts as the
   *     first) before validators attest it
   */
  public record Bridge(long evmChainId, Address address, int confirmations) {}
}
