package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;

/** A named collection of contributions with an owner and the rules a contribution must meet. */
public record Datanet(Hash id, Address owner, String name, DatanetRules rules, long createdHeight)
    implements LedgerObject {

  public static Hash key(Hash id) {
    return StateTreeHashing.objectKey("datanet", id.toArray());
  }

  @Override
  public Hash key() {
    return key(id);
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    return io.ascribe.core.proto.LedgerObject.newBuilder()
        .setDatanet(
            io.ascribe.core.proto.Datanet.newBuilder()
                .setId(ByteString.copyFrom(id.toArray()))
                .setOwner(ByteString.copyFrom(owner.toArray()))
                .setName(name)
                .setRules(rules.toProto())
                .setCreatedHeight(createdHeight))
        .build();
  }

  static Datanet fromProto(io.ascribe.core.proto.Datanet p) {
    return new Datanet(
        Hash.copyOf(p.getId().toByteArray()),
        Address.wrap(p.getOwner().toByteArray()),
        p.getName(),
        DatanetRules.fromProto(p.getRules()),
        p.getCreatedHeight());
  }
}
