package io.ascribe.ledger.state;

import com.google.protobuf.ByteString;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.proto.ValidatorEntry;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The validators that sign blocks, ordered by address, each with its bonded stake as voting power.
 * Its {@link #hash()} goes in every header, so a light client knows whose signatures count.
 */
public record ValidatorSet(List<Validator> validators) {

  /**
   * One validator: its address (the key that signs its votes) and its power in wei of stake. It is
   * also the one codec of a {@code ValidatorEntry}, the (address, power) pair that the protocol
   * record and the EVM validator-set updates store, so every record encodes an entry alike.
   */
  public record Validator(Address address, BigInteger power) {
    /** The stored entry: the address's 20 bytes and the power as {@link Amount#encode}. */
    public ValidatorEntry toProto() {
      return ValidatorEntry.newBuilder()
          .setAddress(ByteString.copyFrom(address.toArray()))
          .setStake(ByteString.copyFrom(Amount.encode(power)))
          .build();
    }

    /**
     * @throws IllegalArgumentException when the entry's power is not a stored amount
     */
    public static Validator fromProto(ValidatorEntry entry) {
      return new Validator(
          Address.wrap(entry.getAddress().toByteArray()),
          Amount.decode(entry.getStake().toByteArray(), "validator stake"));
    }

    /**
     * The voting power consensus counts: whole OPEN of stake. Commits are checked in the same unit,
     * so "more than 2/3" means the same thing to the engine and to a syncing node.
     */
    public long votingPower() {
      return power.divide(io.ascribe.core.types.Amount.ONE_OPEN).longValueExact();
    }
  }

  public ValidatorSet {
    validators = validators.stream().sorted(Comparator.comparing(Validator::address)).toList();
  }

  /** The stored entries, in address order. */
  public List<ValidatorEntry> toProto() {
    return validators.stream().map(Validator::toProto).toList();
  }

  public static ValidatorSet fromProto(List<ValidatorEntry> entries) {
    return new ValidatorSet(entries.stream().map(Validator::fromProto).toList());
  }

  /** Sum of {@link Validator#votingPower}. */
  public long totalVotingPower() {
    return validators.stream().mapToLong(Validator::votingPower).sum();
  }

  public BigInteger totalPower() {
    return validators.stream().map(Validator::power).reduce(BigInteger.ZERO, BigInteger::add);
  }

  public Optional<Validator> find(Address address) {
    return validators.stream().filter(v -> v.address().equals(address)).findFirst();
  }

  /**
   * The set as the EVM RewardDistributor stores it, whose hash the epoch roots are signed with:
   * powers in whole OPEN ({@link Validator#votingPower}), the unit consensus counts and {@code
   * ascribe evm deploy} puts on chain, so "more than 2/3" means the same there as here.
   */
  public io.ascribe.core.settlement.ValidatorSet settlementSet() {
    java.util.Map<Address, BigInteger> powers = new java.util.HashMap<>();
    validators.forEach(v -> powers.put(v.address(), BigInteger.valueOf(v.votingPower())));
    return io.ascribe.core.settlement.ValidatorSet.of(powers);
  }

  /** keccak256 over address (20 bytes) ‖ power (32 bytes) for each validator in address order. */
  public Hash hash() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Validator validator : validators) {
      out.writeBytes(validator.address().toArray());
      byte[] power = Amount.encode(validator.power());
      out.writeBytes(new byte[32 - power.length]);
      out.writeBytes(power);
    }
    return Keccak.hash(out.toByteArray());
  }
}
