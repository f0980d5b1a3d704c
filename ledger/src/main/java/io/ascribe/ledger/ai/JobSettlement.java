package io.ascribe.ledger.ai;

import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a tuning job ended, kept on the job as its attribution record: the wei each account earned
 * from the job's fee (data contributors by influence, executor, accepting verifiers, validators),
 * the wei burned, the wei refunded to the submitter and the wei slashed from each bond (also
 * burned). Credits + burned + refunded always equal the job's escrow. Both maps are in address
 * order.
 */
public record JobSettlement(
    long height,
    Map<Address, BigInteger> credits,
    BigInteger burned,
    BigInteger refunded,
    Map<Address, BigInteger> slashed) {

  public JobSettlement {
    credits = Collections.unmodifiableSortedMap(new TreeMap<>(credits));
    slashed = Collections.unmodifiableSortedMap(new TreeMap<>(slashed));
  }

  io.ascribe.core.proto.JobSettlement toProto() {
    return io.ascribe.core.proto.JobSettlement.newBuilder()
        .setHeight(height)
        .addAllCredits(ProtoBytes.payouts(credits))
        .setBurned(ProtoBytes.of(burned))
        .setRefunded(ProtoBytes.of(refunded))
        .addAllSlashed(ProtoBytes.payouts(slashed))
        .build();
  }

  static JobSettlement fromProto(io.ascribe.core.proto.JobSettlement p) {
    return new JobSettlement(
        p.getHeight(),
        ProtoBytes.payouts(p.getCreditsList()),
        ProtoBytes.amount(p.getBurned(), "burned"),
        ProtoBytes.amount(p.getRefunded(), "refunded"),
        ProtoBytes.payouts(p.getSlashedList()));
  }
}
