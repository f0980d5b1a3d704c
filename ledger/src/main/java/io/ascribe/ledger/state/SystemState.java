package io.ascribe.ledger.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.proto.HeldRelease;
import io.ascribe.core.proto.JobDeadline;
import io.ascribe.core.proto.PendingUpdate;
import io.ascribe.core.proto.SystemRecord;
import io.ascribe.core.proto.UnbondingRelease;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The protocol's own state beside the accounts: the active validator set, the stake changes waiting
 * for the validator-set delay, when each account's unbonding stake returns to its balance, the
 * total supply, the amount burned, the bonds held (contributions' and inference capabilities'), the
 * rewards credited for claiming on the EVM chain, the open tuning jobs' escrow and deadlines, and
 * the inference payouts held back until their challenge window closes, and the bridge's totals. It
 * is one leaf of the state tree (under {@code systemKey("protocol")}), so the root commits to it
 * too. The supply invariant: balances + stakes + unbonding (counted until its release moves it to
 * the balance; a slash of it takes the slashed wei out of the unbonding, burns all but the
 * reporter's share and credits that to {@code rewards}, as a slash of stake does) + {@code bonded}
 * + {@code rewards} + {@code jobs.escrow} + {@code held.total} = {@code totalSupply}, and {@code
 * totalSupply} = the genesis supply + {@code bridge.deposited} − {@code burned}.
 */
public record SystemState(
    ValidatorSet validators,
    List<Pending> pending,
    BigInteger totalSupply,
    BigInteger burned,
    BigInteger bonded,
    BigInteger rewards,
    OpenJobs jobs,
    HeldPayouts held,
    BridgeTotals bridge,
    Rotation rotation,
    UnbondingSchedule unbonding) {

  /** An account whose voting power is settled at {@code height}. */
  public record Pending(long height, Address address) {}

  /**
   * The validator set announced at the beginning of block {@code height - 1}, which signs from
   * block {@code height} on, and the accounts whose pending changes it settles. Announced one block
   * ahead so that the outgoing set can sign the EVM validator-set update before it stops signing
   * (docs/adr/008).
   */
  public record Upcoming(long height, ValidatorSet validators, List<Address> accounts) {
    public Upcoming {
      accounts = List.copyOf(accounts);
    }
  }

  /**
   * The announced set, if any, and how many EVM validator-set updates the chain has recorded (the
   * nonce of the next).
   */
  public record Rotation(long updates, java.util.Optional<Upcoming> upcoming) {
    public static final Rotation NONE = new Rotation(0, java.util.Optional.empty());
  }

  /** A state whose validator set has never rotated. */
  public SystemState(
      ValidatorSet validators,
      List<Pending> pending,
      BigInteger totalSupply,
      BigInteger burned,
      BigInteger bonded,
      BigInteger rewards,
      OpenJobs jobs,
      HeldPayouts held,
      BridgeTotals bridge) {
    this(
        validators,
        pending,
        totalSupply,
        burned,
        bonded,
        rewards,
        jobs,
        held,
        bridge,
        Rotation.NONE,
        UnbondingSchedule.NONE);
  }

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
        OpenJobs.NONE,
        HeldPayouts.NONE,
        BridgeTotals.NONE,
        Rotation.NONE,
        UnbondingSchedule.NONE);
  }

  /** The same state with other validators and pending changes. */
  public SystemState withValidators(ValidatorSet newValidators, List<Pending> newPending) {
    return new SystemState(
        newValidators,
        newPending,
        totalSupply,
        burned,
        bonded,
        rewards,
        jobs,
        held,
        bridge,
        rotation,
        unbonding);
  }

  /** The same state with another unbonding schedule. */
  public SystemState withUnbonding(UnbondingSchedule newUnbonding) {
    return new SystemState(
        validators,
        pending,
        totalSupply,
        burned,
        bonded,
        rewards,
        jobs,
        held,
        bridge,
        rotation,
        newUnbonding);
  }

  /** The same state with another rotation record. */
  public SystemState withRotation(Rotation newRotation) {
    return new SystemState(
        validators,
        pending,
        totalSupply,
        burned,
        bonded,
        rewards,
        jobs,
        held,
        bridge,
        newRotation,
        unbonding);
  }

  /**
   * {@code amount} destroyed (a fee's burn, slashed stake): out of the supply, into the burned
   * total.
   */
  public SystemState burn(BigInteger amount) {
    return new SystemState(
        validators,
        pending,
        totalSupply.subtract(amount),
        burned.add(amount),
        bonded,
        rewards,
        jobs,
        held,
        bridge,
        rotation,
        unbonding);
  }

  /**
   * Bonds held change by {@code delta} (a bond posted is positive, one returned or slashed
   * negative).
   */
  public SystemState bond(BigInteger delta) {
    return new SystemState(
        validators,
        pending,
        totalSupply,
        burned,
        bonded.add(delta),
        rewards,
        jobs,
        held,
        bridge,
        rotation,
        unbonding);
  }

  /** {@code amount} credited to someone's claimable rewards. */
  public SystemState credit(BigInteger amount) {
    return new SystemState(
        validators,
        pending,
        totalSupply,
        burned,
        bonded,
        rewards.add(amount),
        jobs,
        held,
        bridge,
        rotation,
        unbonding);
  }

  /** The same state with the open tuning jobs' record replaced. */
  public SystemState withJobs(OpenJobs newJobs) {
    return new SystemState(
        validators,
        pending,
        totalSupply,
        burned,
        bonded,
        rewards,
        newJobs,
        held,
        bridge,
        rotation,
        unbonding);
  }

  /** The same state with other inference holdings. */
  public SystemState withHeld(HeldPayouts newHeld) {
    return new SystemState(
        validators,
        pending,
        totalSupply,
        burned,
        bonded,
        rewards,
        jobs,
        newHeld,
        bridge,
        rotation,
        unbonding);
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
        jobs,
        held,
        new BridgeTotals(bridge.deposited().add(amount), nextDeposit, bridge.withdrawn()),
        rotation,
        unbonding);
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
        jobs,
        held,
        new BridgeTotals(bridge.deposited(), bridge.nextDeposit(), bridge.withdrawn().add(amount)),
        rotation,
        unbonding);
  }

  public SystemRecord toProto() {
    SystemRecord.Builder record =
        SystemRecord.newBuilder()
            .setTotalSupply(ByteString.copyFrom(Amount.encode(totalSupply)))
            .setBurned(ByteString.copyFrom(Amount.encode(burned)))
            .setBonded(ByteString.copyFrom(Amount.encode(bonded)))
            .setRewards(ByteString.copyFrom(Amount.encode(rewards)))
            .setJobEscrow(ByteString.copyFrom(Amount.encode(jobs.escrow())))
            .setInferenceHeld(ByteString.copyFrom(Amount.encode(held.total())));
    record.addAllValidators(validators.toProto());
    for (Pending p : pending) {
      record.addPending(
          PendingUpdate.newBuilder()
              .setHeight(p.height())
              .setAddress(ByteString.copyFrom(p.address().toArray())));
    }
    for (OpenJobs.Deadline d : jobs.deadlines()) {
      record.addJobDeadlines(
          JobDeadline.newBuilder()
              .setHeight(d.height())
              .setJob(ByteString.copyFrom(d.job().toArray())));
    }
    for (HeldPayouts.Release r : held.releases()) {
      record.addInferenceReleases(
          HeldRelease.newBuilder()
              .setHeight(r.height())
              .setBatch(ByteString.copyFrom(r.batch().toArray())));
    }
    for (UnbondingSchedule.Release r : unbonding.releases()) {
      record.addUnbondingReleases(
          UnbondingRelease.newBuilder()
              .setHeight(r.height())
              .setAddress(ByteString.copyFrom(r.address().toArray())));
    }
    // Left out until the bridge first moves something, so chains without one keep their roots.
    if (!bridge.equals(BridgeTotals.NONE)) {
      record.setBridge(
          io.ascribe.core.proto.BridgeTotals.newBuilder()
              .setDeposited(ByteString.copyFrom(Amount.encode(bridge.deposited())))
              .setNextDeposit(bridge.nextDeposit())
              .setWithdrawn(ByteString.copyFrom(Amount.encode(bridge.withdrawn()))));
    }
    // Left out until the first stake change settles, so chains without one keep their roots.
    if (!rotation.equals(Rotation.NONE)) {
      io.ascribe.core.proto.ValidatorRotation.Builder r =
          io.ascribe.core.proto.ValidatorRotation.newBuilder().setUpdates(rotation.updates());
      rotation
          .upcoming()
          .ifPresent(
              u -> {
                r.setUpcomingHeight(u.height());
                r.addAllUpcomingValidators(u.validators().toProto());
                u.accounts().forEach(a -> r.addUpcomingAccounts(ByteString.copyFrom(a.toArray())));
              });
      record.setRotation(r);
    }
    return record.build();
  }

  private static Rotation rotationFromProto(SystemRecord record) {
    if (!record.hasRotation()) {
      return Rotation.NONE;
    }
    io.ascribe.core.proto.ValidatorRotation r = record.getRotation();
    if (r.getUpcomingHeight() == 0) {
      return new Rotation(r.getUpdates(), java.util.Optional.empty());
    }
    List<Address> accounts = new ArrayList<>();
    r.getUpcomingAccountsList().forEach(a -> accounts.add(Address.wrap(a.toByteArray())));
    return new Rotation(
        r.getUpdates(),
        java.util.Optional.of(
            new Upcoming(
                r.getUpcomingHeight(),
                ValidatorSet.fromProto(r.getUpcomingValidatorsList()),
                accounts)));
  }

  private static UnbondingSchedule unbondingFromProto(SystemRecord record) {
    List<UnbondingSchedule.Release> releases = new ArrayList<>();
    for (UnbondingRelease r : record.getUnbondingReleasesList()) {
      releases.add(
          new UnbondingSchedule.Release(r.getHeight(), Address.wrap(r.getAddress().toByteArray())));
    }
    return new UnbondingSchedule(releases);
  }

  public static SystemState fromBytes(byte[] bytes) {
    SystemRecord record;
    try {
      record = SystemRecord.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored protocol record is corrupt: " + e.getMessage());
    }
    List<Pending> pending = new ArrayList<>();
    for (PendingUpdate update : record.getPendingList()) {
      pending.add(new Pending(update.getHeight(), Address.wrap(update.getAddress().toByteArray())));
    }
    List<OpenJobs.Deadline> deadlines = new ArrayList<>();
    for (JobDeadline d : record.getJobDeadlinesList()) {
      deadlines.add(new OpenJobs.Deadline(d.getHeight(), Hash.copyOf(d.getJob().toByteArray())));
    }
    List<HeldPayouts.Release> releases = new ArrayList<>();
    for (HeldRelease r : record.getInferenceReleasesList()) {
      releases.add(new HeldPayouts.Release(r.getHeight(), Hash.copyOf(r.getBatch().toByteArray())));
    }
    return new SystemState(
        ValidatorSet.fromProto(record.getValidatorsList()),
        pending,
        Amount.decode(record.getTotalSupply().toByteArray(), "total supply"),
        Amount.decode(record.getBurned().toByteArray(), "burned"),
        Amount.decode(record.getBonded().toByteArray(), "bonded"),
        Amount.decode(record.getRewards().toByteArray(), "rewards"),
        new OpenJobs(Amount.decode(record.getJobEscrow().toByteArray(), "job escrow"), deadlines),
        HeldPayouts.sorted(
            Amount.decode(record.getInferenceHeld().toByteArray(), "inference held"), releases),
        record.hasBridge()
            ? new BridgeTotals(
                Amount.decode(record.getBridge().getDeposited().toByteArray(), "bridge deposited"),
                record.getBridge().getNextDeposit(),
                Amount.decode(record.getBridge().getWithdrawn().toByteArray(), "bridge withdrawn"))
            : BridgeTotals.NONE,
        rotationFromProto(record),
        unbondingFromProto(record));
  }

  /** The tree commits to keccak256 of the record's protobuf encoding. */
  public Hash valueHash() {
    return Keccak.hash(toProto().toByteArray());
  }
}
