package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.types.Amount;
import java.math.BigInteger;

/**
 * What a datanet accepts: the least bond a contribution must post, the schema its records follow,
 * and the MinHash similarity (in basis points of equal slots) at or above which a new contribution
 * is refused as a near duplicate of an existing one.
 */
public record DatanetRules(BigInteger minBond, String schemaId, int nearDuplicateBps) {
  public io.ascribe.core.proto.DatanetRules toProto() {
    return io.ascribe.core.proto.DatanetRules.newBuilder()
        .setMinBond(ByteString.copyFrom(Amount.encode(minBond)))
        .setSchemaId(schemaId)
        .setNearDuplicateBps(nearDuplicateBps)
        .build();
  }

  public static DatanetRules fromProto(io.ascribe.core.proto.DatanetRules rules) {
    return new DatanetRules(
        Amount.decode(rules.getMinBond().toByteArray(), "minimum bond"),
        rules.getSchemaId(),
        rules.getNearDuplicateBps());
  }
}
