package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;

/**
 * A registered base model: the hashes of its weights and configuration (the files themselves stay
 * off chain), its architecture and its licence, so tuning jobs and receipts can name it by id.
 */
public record Model(
    Hash id,
    Address owner,
    Hash weightsHash,
    Hash configHash,
    String architecture,
    String licence,
    long height)
    implements LedgerObject {

  public static Hash key(Hash id) {
    return StateTreeHashing.objectKey("model", id.toArray());
  }

  @Override
  public Hash key() {
    return key(id);
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    return io.ascribe.core.proto.LedgerObject.newBuilder()
        .setModel(
            io.ascribe.core.proto.Model.newBuilder()
                .setId(ByteString.copyFrom(id.toArray()))
                .setOwner(ByteString.copyFrom(owner.toArray()))
                .setWeightsHash(ByteString.copyFrom(weightsHash.toArray()))
                .setConfigHash(ByteString.copyFrom(configHash.toArray()))
                .setArchitecture(architecture)
                .setLicence(licence)
                .setHeight(height))
        .build();
  }

  static Model fromProto(io.ascribe.core.proto.Model p) {
    return new Model(
        Hash.copyOf(p.getId().toByteArray()),
        Address.wrap(p.getOwner().toByteArray()),
        Hash.copyOf(p.getWeightsHash().toByteArray()),
        Hash.copyOf(p.getConfigHash().toByteArray()),
        p.getArchitecture(),
        p.getLicence(),
        p.getHeight());
  }
}
