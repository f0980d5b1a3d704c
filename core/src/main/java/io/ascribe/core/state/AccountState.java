package io.ascribe.core.state;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.proto.Account;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.nio.ByteBuffer;

/**
 * One account's state: spendable balance, next nonce, bonded stake, and stake being unbonded with
 * the height at which it returns to the balance. Amounts are in wei.
 */
public record AccountState(
    BigInteger balance, long nonce, BigInteger stake, BigInteger unbonding, long unbondingHeight) {

  public static final AccountState EMPTY =
      new AccountState(BigInteger.ZERO, 0, BigInteger.ZERO, BigInteger.ZERO, 0);

  public AccountState withBalance(BigInteger value) {
    return new AccountState(value, nonce, stake, unbonding, unbondingHeight);
  }

  public AccountState withNonce(long value) {
    return new AccountState(balance, value, stake, unbonding, unbondingHeight);
  }

  public AccountState withStake(BigInteger value) {
    return new AccountState(balance, nonce, value, unbonding, unbondingHeight);
  }

  public AccountState withUnbonding(BigInteger value, long height) {
    return new AccountState(balance, nonce, stake, value, height);
  }

  /**
   * The hash the state tree commits to: keccak256 of fixed-width big-endian fields (balance 32,
   * nonce 8, stake 32, unbonding 32, unbonding height 8), so any language can recompute it.
   */
  public Hash valueHash() {
    ByteBuffer buffer = ByteBuffer.allocate(112);
    putWord(buffer, balance);
    buffer.putLong(nonce);
    putWord(buffer, stake);
    putWord(buffer, unbonding);
    buffer.putLong(unbondingHeight);
    return Keccak.hash(buffer.array());
  }

  private static void putWord(ByteBuffer buffer, BigInteger value) {
    byte[] raw = Amount.encode(value);
    buffer.position(buffer.position() + 32 - raw.length);
    buffer.put(raw);
  }

  public Account toProto() {
    return Account.newBuilder()
        .setBalance(com.google.protobuf.ByteString.copyFrom(Amount.encode(balance)))
        .setNonce(nonce)
        .setStake(com.google.protobuf.ByteString.copyFrom(Amount.encode(stake)))
        .setUnbonding(com.google.protobuf.ByteString.copyFrom(Amount.encode(unbonding)))
        .setUnbondingHeight(unbondingHeight)
        .build();
  }

  public static AccountState fromProto(Account account) {
    return new AccountState(
        Amount.decode(account.getBalance().toByteArray(), "balance"),
        account.getNonce(),
        Amount.decode(account.getStake().toByteArray(), "stake"),
        Amount.decode(account.getUnbonding().toByteArray(), "unbonding"),
        account.getUnbondingHeight());
  }
}
