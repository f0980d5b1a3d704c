package io.ascribe.genesis;

import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

/**
 * The chain's starting point: who validates, who holds what, and the protocol parameters. Every
 * node of a chain loads the same genesis; {@link GenesisLoader} builds one from JSON and checks
 * every field, and {@link DevnetGenesis} is the built-in one for local development.
 */
public record Genesis(
    long chainId,
    Instant genesisTime,
    List<GenesisValidator> validators,
    List<Allocation> allocations,
    ProtocolParams params) {

  public Genesis {
    validators = List.copyOf(validators);
    allocations = List.copyOf(allocations);
  }

  /** A validator at height 1: its account address (the key that signs its votes) and bond. */
  public record GenesisValidator(Address address, BigInteger stake) {}

  /** An initial balance, in wei. */
  public record Allocation(Address address, BigInteger balance) {}
}
