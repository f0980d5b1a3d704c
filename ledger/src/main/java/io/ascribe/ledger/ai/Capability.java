package io.ascribe.ledger.ai;

import io.ascribe.core.proto.CapabilityStatus;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;

/**
 * A validator's declared inference capability: it may be drawn as executor or verifier of tuning
 * jobs while its bond is whole. The bond is held by the protocol and slashed for fraud or missed
 * deadlines; it goes back to the account only once no job it is bound to is still open, because any
 * of those jobs may yet slash it.
 *
 * @param account the validator
 * @param bond wei held, after any slashes
 * @param openJobs jobs not yet over in which it executes, verifies or voted in a dispute
 * @param status whether it takes new jobs
 * @param height when it last declared
 */
public record Capability(Address account, BigInteger bond, int openJobs, Status status, long height)
    implements LedgerObject {

  /** Where a capability stands. */
  public enum Status {
    /** Takes new jobs while its bond is whole and its account is a validator. */
    ACTIVE,
    /** Undeclared: takes no new jobs; the bond returns once its open jobs are over. */
    RETIRING,
    /** Its bond went back to the account. */
    WITHDRAWN
  }

  public static Hash key(Address account) {
    return StateTreeHashing.objectKey("capability", account.toArray());
  }

  @Override
  public Hash key() {
    return key(account);
  }

  /** Whether it may be drawn for a new job when a full bond is {@code requiredBond}. */
  public boolean takesJobs(BigInteger requiredBond) {
    return status == Status.ACTIVE && bond.compareTo(requiredBond) >= 0;
  }

  public Capability withBond(BigInteger newBond) {
    return new Capability(account, newBond, openJobs, status, height);
  }

  public Capability withStatus(Status newStatus) {
    return new Capability(account, bond, openJobs, newStatus, height);
  }

  /** One more (or, with a negative {@code delta}, fewer) open jobs holding the bond. */
  public Capability withOpenJobs(int delta) {
    return new Capability(account, bond, openJobs + delta, status, height);
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    return io.ascribe.core.proto.LedgerObject.newBuilder()
        .setCapability(
            io.ascribe.core.proto.Capability.newBuilder()
                .setAccount(ProtoBytes.of(account))
                .setBond(ProtoBytes.of(bond))
                .setOpenJobs(openJobs)
                .setStatus(
                    switch (status) {
                      case ACTIVE -> CapabilityStatus.CAPABILITY_STATUS_ACTIVE;
                      case RETIRING -> CapabilityStatus.CAPABILITY_STATUS_RETIRING;
                      case WITHDRAWN -> CapabilityStatus.CAPABILITY_STATUS_WITHDRAWN;
                    })
                .setHeight(height))
        .build();
  }

  static Capability fromProto(io.ascribe.core.proto.Capability p) {
    Status status =
        switch (p.getStatus()) {
          case CAPABILITY_STATUS_ACTIVE -> Status.ACTIVE;
          case CAPABILITY_STATUS_RETIRING -> Status.RETIRING;
          case CAPABILITY_STATUS_WITHDRAWN -> Status.WITHDRAWN;
          case CAPABILITY_STATUS_UNSPECIFIED, UNRECOGNIZED ->
              throw new IllegalArgumentException("capability has no status");
        };
    return new Capability(
        ProtoBytes.address(p.getAccount()),
        ProtoBytes.amount(p.getBond(), "capability bond"),
        p.getOpenJobs(),
        status,
        p.getHeight());
  }
}
