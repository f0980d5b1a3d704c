package io.ascribe.genesis;

import io.ascribe.core.settlement.Eip712Domain;
import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The chain's starting point: who validates, who holds what, the protocol parameters, and where its
 * rewards are settled. Every node of a chain loads the same genesis; {@link GenesisLoader} builds
 * one from JSON and checks every field, and {@link DevnetGenesis} is the built-in one for local
 * development.
 */
public record Genesis(
    long chainId,
    Instant genesisTime,
    List<GenesisValidator> validators,
    List<Allocation> allocations,
    ProtocolParams params,
    Optional<Settlement> settlement) {

  public Genesis {
    validators = List.copyOf(validators);
    allocations = List.copyOf(allocations);
  }

  /** A chain that settles nowhere: its validators sign no epoch roots. */
  public Genesis(
      long chainId,
      Instant genesisTime,
      List<GenesisValidator> validators,
      List<Allocation> allocations,
      ProtocolParams params) {
    this(chainId, genesisTime, validators, allocations, params, Optional.empty());
  }

  /** This genesis with {@code settlement} instead of its own. */
  public Genesis withSettlement(Optional<Settlement> settlement) {
    return new Genesis(chainId, genesisTime, validators, allocations, params, settlement);
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
}
