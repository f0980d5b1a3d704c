package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Conversions between the tuning-job objects' typed fields and their protobuf bytes, so each
 * object's encoder reads as a list of its fields rather than of {@code ByteString} calls.
 */
final class ProtoBytes {
  private ProtoBytes() {}

  static ByteString of(Hash hash) {
    return ByteString.copyFrom(hash.toArray());
  }

  static ByteString of(Address address) {
    return ByteString.copyFrom(address.toArray());
  }

  static ByteString of(BigInteger wei) {
    return ByteString.copyFrom(Amount.encode(wei));
  }

  static Hash hash(ByteString bytes) {
    return Hash.copyOf(bytes.toByteArray());
  }

  static Address address(ByteString bytes) {
    return Address.wrap(bytes.toByteArray());
  }

  static BigInteger amount(ByteString bytes, String what) {
    return Amount.decode(bytes.toByteArray(), what);
  }

  /** Wei per account, as repeated {@code Payout} entries in address order. */
  static List<io.ascribe.core.proto.Payout> payouts(Map<Address, BigInteger> amounts) {
    List<io.ascribe.core.proto.Payout> out = new ArrayList<>();
    new TreeMap<>(amounts)
        .forEach(
            (account, amount) ->
                out.add(
                    io.ascribe.core.proto.Payout.newBuilder()
                        .setAccount(of(account))
                        .setAmount(of(amount))
                        .build()));
    return out;
  }

  static SortedMap<Address, BigInteger> payouts(List<io.ascribe.core.proto.Payout> entries) {
    SortedMap<Address, BigInteger> out = new TreeMap<>();
    for (io.ascribe.core.proto.Payout p : entries) {
      out.put(address(p.getAccount()), amount(p.getAmount(), "payout"));
    }
    return out;
  }
}
