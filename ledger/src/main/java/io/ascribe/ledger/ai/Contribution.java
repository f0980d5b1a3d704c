package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.ContributionStatus;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;

/**
 * A content-addressed record in a datanet: the hash and size of its bytes (kept off chain), the
 * MinHash signature of its text, and the bond its contributor posted, which is returned after the
 * lock period unless the contribution was slashed.
 */
public record Contribution(
    Hash id,
    Hash datanet,
    Address contributor,
    Hash contentHash,
    long size,
    MinHash minHash,
    BigInteger bond,
    long height,
    Status status)
    implements LedgerObject {

  /** Where a contribution's bond is. */
  public enum Status {
    /** Bonded and counted in its datanet. */
    ACTIVE,
    /** Its bond went back to the contributor. */
    WITHDRAWN,
    /** Its bond was forfeited. */
    SLASHED
  }

  public static Hash key(Hash id) {
    return StateTreeHashing.objectKey("contribution", id.toArray());
  }

  @Override
  public Hash key() {
    return key(id);
  }

  public Contribution withStatus(Status newStatus) {
    return new Contribution(
        id, datanet, contributor, contentHash, size, minHash, bond, height, newStatus);
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    return io.ascribe.core.proto.LedgerObject.newBuilder()
        .setContribution(
            io.ascribe.core.proto.Contribution.newBuilder()
                .setId(ByteString.copyFrom(id.toArray()))
                .setDatanet(ByteString.copyFrom(datanet.toArray()))
                .setContributor(ByteString.copyFrom(contributor.toArray()))
                .setContentHash(ByteString.copyFrom(contentHash.toArray()))
                .setSize(size)
                .addAllMinhash(minHash.values())
                .setBond(ByteString.copyFrom(Amount.encode(bond)))
                .setHeight(height)
                .setStatus(
                    switch (status) {
                      case ACTIVE -> ContributionStatus.CONTRIBUTION_STATUS_ACTIVE;
                      case WITHDRAWN -> ContributionStatus.CONTRIBUTION_STATUS_WITHDRAWN;
                      case SLASHED -> ContributionStatus.CONTRIBUTION_STATUS_SLASHED;
                    }))
        .build();
  }

  static Contribution fromProto(io.ascribe.core.proto.Contribution p) {
    Status status =
        switch (p.getStatus()) {
          case CONTRIBUTION_STATUS_ACTIVE -> Status.ACTIVE;
          case CONTRIBUTION_STATUS_WITHDRAWN -> Status.WITHDRAWN;
          case CONTRIBUTION_STATUS_SLASHED -> Status.SLASHED;
          case CONTRIBUTION_STATUS_UNSPECIFIED, UNRECOGNIZED ->
              throw new IllegalArgumentException("contribution has no status");
        };
    return new Contribution(
        Hash.copyOf(p.getId().toByteArray()),
        Hash.copyOf(p.getDatanet().toByteArray()),
        Address.wrap(p.getContributor().toByteArray()),
        Hash.copyOf(p.getContentHash().toByteArray()),
        p.getSize(),
        MinHash.of(p.getMinhashList()),
        Amount.decode(p.getBond().toByteArray(), "bond"),
        p.getHeight(),
        status);
  }
}
