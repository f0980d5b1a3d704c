package io.ascribe.ledger.ai;

import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.util.Comparator;

/**
 * What one account earned (or lost) from one piece of AI work in one role, in wei. Shares are kept
 * by role, then by address, so a settlement lists them the same way on every node.
 */
public record WorkShare(Address account, WorkRole role, BigInteger amount) {
  /** By role (in {@link WorkRole}'s order), then by address. */
  public static final Comparator<WorkShare> ORDER =
      Comparator.comparing(WorkShare::role).thenComparing(WorkShare::account);

  io.ascribe.core.proto.WorkShare toProto() {
    return io.ascribe.core.proto.WorkShare.newBuilder()
        .setAccount(ProtoBytes.of(account))
        .setRole(role.toProto())
        .setAmount(ProtoBytes.of(amount))
        .build();
  }

  static WorkShare fromProto(io.ascribe.core.proto.WorkShare p) {
    return new WorkShare(
        ProtoBytes.address(p.getAccount()),
        WorkRole.fromProto(p.getRole()),
        ProtoBytes.amount(p.getAmount(), "work share"));
  }
}
