package io.ascribe.genesis;

import io.ascribe.core.settlement.Eip712Domain;
import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The chain's starting point: who validates, who holds what, the protocol parameters, where its
 * rewards are settled and, when the chain takes deposits from an EVM chain, which bridge it
 * credits. Every node of a chain loads the same genesis; {@link GenesisLoader} builds one from JSON
 * and checks every field, and {@link DevnetGenesis} is the built-in one for local development.
 */
public record Genesis(
    long chainId,
    Instant genesisTime,
    List<GenesisValidator> validators,
    List<Allocation> allocations,
    ProtocolParams params,
    Optional<Settlement> settlement,
    Optional<Bridge> bridge) {

  public Genesis {
    validators = List.copyOf(validators);
    allocations = List.copyOf(allocations);
  }

  /** A chain that settles nowhere (its validators sign no epoch roots) and takes no deposits. */
  public Genesis(
      long chainId,
      Instant genesisTime,
      List<GenesisValidator> validators,
      List<Allocation> allocations,
      ProtocolParams params) {
    this(chainId, genesisTime, validators, allocations, params, Optional.empty(), Optional.empty());
  }

  /** This genesis with {@code settlement} instead of its own. */
  public Genesis withSettlement(Optional<Settlement> settlement) {
    return new Genesis(chainId, genesisTime, validators, allocations, params, settlement, bridge);
  }

  /** This genesis with {@code newParams} instead of its own. */
  public Genesis withParams(ProtocolParams newParams) {
    return new Genesis(
        chainId, genesisTime, validators, allocations, newParams, settlement, bridge);
  }

  /** This genesis asking {@code count} verifiers per tuning job. */
  public Genesis withJobVerifiers(int count) {
    return withParams(params.withAi(params.ai().withJobs(params.ai().jobs().withVerifiers(count))));
  }

  /** The same genesis crediting deposits of {@code newBridge}. */
  public Genesis withBridge(Bridge newBridge) {
    return new Genesis(
        chainId, genesisTime, validators, allocations, params, settlement, Optional.of(newBridge));
  }

  /** A validator at height 1: its account address (the key that signs its votes) and bond. */
  public record GenesisValidator(Address address, BigInteger stake) {}

  /** An initial balance, in wei. */
  public record Allocation(Address address, BigInteger balance) {}

  /**
   * The RewardDistributor whose EIP-712 domain the validators sign each epoch root under, as part
   * of consensus. It is in the genesis rather than in each node's settings because peers check
   * these signatures and count a precommit only with a valid one: every validator must sign the
   * same digest, so every validator must agree on the domain.
   *
   * @param evmChainId the EVM chain's id (its {@code block.chainid})
   * @param distributor the RewardDistributor contract's address on that chain
   */
  public record Settlement(long evmChainId, Address distributor) {
    /** The domain {@code RewardDistributor} hashes its typed data under. */
    public Eip712Domain domain() {
      return Eip712Domain.rewardDistributor(evmChainId, distributor);
    }
  }

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
