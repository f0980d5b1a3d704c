package io.ascribe.ledger.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.proto.PendingUpdate;
import io.ascribe.core.proto.SystemRecord;
import io.ascribe.core.proto.ValidatorEntry;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The protocol's own state beside the accounts: the active validator set, the stake changes waiting
 * for the validator-set delay, the total supply, the amount burned, the contribution bonds held,
 * the rewards credited for claiming on the EVM chain and the bridge's totals. It is one leaf of the
 * state tree (under {@code systemKey("protocol")}), so the root commits to it too. The supply
 * invariant: balances + stakes + unbonding + {@code bonded} + {@code rewards} = {@code
 * totalSupply}, and {@code totalSupply} = the genesis supply + {@code bridge.deposited} − {@code
 * burned}.
 */
public record SystemState(
    ValidatorSet validators,
    List<Pending> pending,
    BigInteger totalSupply,
    BigInteger burned,
    BigInteger bonded,
    BigInteger rewards,
    BridgeTotals bridge) {

  /** An account whose power and unbonding are settled at {@code height}. */
  public record Pending(long height, Address address) {}

  public SystemState {
    pending =
        pending.stream()
            .sorted(Comparator.comparingLong(Pending::height).thenComparing(Pending::address))
            .distinct()
            .toList();
  }

  /**
   * What the bridge has moved so far: wei credited for deposits, the next deposit number to credit
   * and wei withdrawn to the EVM chain.
   */
  public record BridgeTotals(BigInteger deposited, long nextDeposit, BigInteger withdrawn) {
    public static final BridgeTotals NONE = new BridgeTotals(BigInteger.ZERO, 0, BigInteger.ZERO);
  }

  /** The state at genesis: no pending changes, nothing burned, bonded, credited or bridged. */
  public static SystemState genesis(ValidatorSet validators, BigInteger totalSupply) {
    return new SystemState(
        validators,
        List.of(),
        totalSupply,
        BigInteger.ZERO,
        BigInteger.ZERO,
        BigInteger.ZERO,
        BridgeTotals.NONE);
  }

  /** The same state with other validators and pending changes. */
  public SystemState withValidators(ValidatorSet newValidators, List<Pending> newPending) {
    return new SystemState(newValidators, newPending, totalSupply, burned, bonded, rewards, bridge);
  }

  /** {@code amount} destroyed: out of the supply, into the burned total. */
  public SystemState burn(BigInteger amount) {
    return new SystemState(
        validators,
        pending,
        totalSupply.subtract(amount),
        burned.add(amount),
        bonded,
        rewards,
        bridge);
  }

  /** Bonds held change by {@code delta} (a bond posted is positive, one returned negative). */
  public SystemState bond(BigInteger delta) {
    return new SystemState(
        validators, pending, totalSupply, burned, bonded.add(delta), rewards, bridge);
  }

  /** {@code amount} credited to someone's claimable rewards. */
  public SystemState credit(BigInteger amount) {
    return new SystemState(
        validators, pending, totalSupply, burned, bonded, rewards.add(amount), bridge);
  }

  /**
   * {@code amount} credited for a deposit locked on the EVM chain: new on Ascribe, so the supply
   * grows by it; {@code nextDeposit} is the lowest deposit number still not credited.
   */
  public SystemState deposit(BigInteger amount, long nextDeposit) {
    return new SystemState(
        validators,
        pending,
        totalSupply.add(amount),
        burned,
        bonded,
        rewards,
        new BridgeTotals(bridge.deposited().add(amount), nextDeposit, bridge.withdrawn()));
  }

  /** {@code amount} withdrawn to the EVM chain (moved into rewards, so the supply is unchanged). */
  public SystemState withdrawToEvm(BigInteger amount) {
    return new SystemState(
        validators,
        pending,
        totalSupply,
        burned,
        bonded,
        rewards,
        new BridgeTotals(bridge.deposited(), bridge.nextDeposit(), bridge.withdrawn().add(amount)));
  }

  public SystemRecord toProto() {
    SystemRecord.Builder record =
        SystemRecord.newBuilder()
            .setTotalSupply(ByteString.copyFrom(Amount.encode(totalSupply)))
            .setBurned(ByteString.copyFrom(Amount.encode(burned)))
            .setBonded(ByteString.copyFrom(Amount.encode(bonded)))
            .setRewards(ByteString.copyFrom(Amount.encode(rewards)));
    // Left out until the bridge first moves something, so chains without one keep their roots.
    if (!bridge.equals(BridgeTotals.NONE)) {
      record.setBridge(
          io.ascribe.core.proto.BridgeTotals.newBuilder()
              .setDeposited(ByteString.copyFrom(Amount.encode(bridge.deposited())))
              .setNextDeposit(bridge.nextDeposit())
              .setWithdrawn(ByteString.copyFrom(Amount.encode(bridge.withdrawn()))));
    }
    for (ValidatorSet.Validator v : validators.validators()) {
      record.addValidators(
          ValidatorEntry.newBuilder()
              .setAddress(ByteString.copyFrom(v.address().toArray()))
              .setStake(ByteString.copyFrom(Amount.encode(v.power()))));
    }
    for (Pending p : pending) {
      record.addPending(
          PendingUpdate.newBuilder()
              .setHeight(p.height())
              .setAddress(ByteString.copyFrom(p.address().toArray())));
    }
    return record.build();
  }

  public static SystemState fromBytes(byte[] bytes) {
    SystemRecord record;
    try {
      record = SystemRecord.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored protocol record is corrupt: " + e.getMessage());
    }
    List<ValidatorSet.Validator> validators = new ArrayList<>();
    for (ValidatorEntry entry : record.getValidatorsList()) {
      validators.add(
          new ValidatorSet.Validator(
              Address.wrap(entry.getAddress().toByteArray()),
              Amount.decode(entry.getStake().toByteArray(), "validator stake")));
    }
    List<Pending> pending = new ArrayList<>();
    for (PendingUpdate update : record.getPendingList()) {
      pending.add(new Pending(update.getHeight(), Address.wrap(update.getAddress().toByteArray())));
    }
    return new SystemState(
        new ValidatorSet(validators),
        pending,
        Amount.decode(record.getTotalSupply().toByteArray(), "total supply"),
        Amount.decode(record.getBurned().toByteArray(), "burned"),
        Amount.decode(record.getBonded().toByteArray(), "bonded"),
        Amount.decode(record.getRewards().toByteArray(), "rewards"),
        record.hasBridge()
            ? new BridgeTotals(
                Amount.decode(record.getBridge().getDeposited().toByteArray(), "bridge deposited"),
                record.getBridge().getNextDeposit(),
                Amount.decode(record.getBridge().getWithdrawn().toByteArray(), "bridge withdrawn"))
            : BridgeTotals.NONE);
  }

  /** The tree commits to keccak256 of the record's protobuf encoding. */
  public Hash valueHash() {
    return Keccak.hash(toProto().toByteArray());
  }
}
