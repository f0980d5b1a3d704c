package io.ascribe.ledger.ai;

import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How a tuning job ended, kept on the job as its attribution record: the wei each account earned
 * from the job's fee in each role (data contributors by influence, executor, accepting verifiers,
 * validators), the wei burned, the wei refunded to the submitter and the wei slashed from each bond
 * (also burned). Shares + burned + refunded always equal the job's escrow. Shares are in {@link
 * WorkShare#ORDER}, slashes in address order.
 */
public record JobSettlement(
    long height,
    List<WorkShare> shares,
    BigInteger burned,
    BigInteger refunded,
    Map<Address, BigInteger> slashed) {

  public JobSettlement {
    shares = shares.stream().sorted(WorkShare.ORDER).toList();
    slashed = Collections.unmodifiableSortedMap(new TreeMap<>(slashed));
  }

  /** What each account earned in all its roles together, in address order. */
  public SortedMap<Address, BigInteger> credits() {
    SortedMap<Address, BigInteger> credits = new TreeMap<>();
    shares.forEach(s -> credits.merge(s.account(), s.amount(), BigInteger::add));
    return Collections.unmodifiableSortedMap(credits);
  }

  io.ascribe.core.proto.JobSettlement toProto() {
    io.ascribe.core.proto.JobSettlement.Builder p =
        io.ascribe.core.proto.JobSettlement.newBuilder()
            .setHeight(height)
            .setBurned(ProtoBytes.of(burned))
            .setRefunded(ProtoBytes.of(refunded))
            .addAllSlashed(ProtoBytes.payouts(slashed));
    shares.forEach(s -> p.addShares(s.toProto()));
    return p.build();
  }

  static JobSettlement fromProto(io.ascribe.core.proto.JobSettlement p) {
    return new JobSettlement(
        p.getHeight(),
        p.getSharesList().stream().map(WorkShare::fromProto).toList(),
        ProtoBytes.amount(p.getBurned(), "burned"),
        ProtoBytes.amount(p.getRefunded(), "refunded"),
        ProtoBytes.payouts(p.getSlashedList()));
  }
}
