package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;

/**
 * An account's cumulative reward since genesis. It only grows: the EVM {@code RewardDistributor}
 * pays {@code cumulative - alreadyClaimed}, so a cumulative figure can be claimed with any later
 * epoch's proof and never twice.
 */
public record RewardAccount(Address account, BigInteger cumulative) implements LedgerObject {

  public static Hash key(Address account) {
    return StateTreeHashing.objectKey("reward", account.toArray());
  }

  @Override
  public Hash key() {
    return key(account);
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    return io.ascribe.core.proto.LedgerObject.newBuilder().setReward(toEntry()).build();
  }

  io.ascribe.core.proto.RewardAccount toEntry() {
    return io.ascribe.core.proto.RewardAccount.newBuilder()
        .setAccount(ByteString.copyFrom(account.toArray()))
        .setCumulative(ByteString.copyFrom(Amount.encode(cumulative)))
        .build();
  }

  static RewardAccount fromProto(io.ascribe.core.proto.RewardAccount p) {
    return new RewardAccount(
        Address.wrap(p.getAccount().toByteArray()),
        Amount.decode(p.getCumulative().toByteArray(), "cumulative reward"));
  }
}
