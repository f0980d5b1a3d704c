package io.ascribe.ledger.exec;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One transaction being applied: the block's state overlay, who signed it, its body, and where it
 * sits in the chain. The rule classes take this instead of five loose arguments, and decode the
 * body's fields through it so every malformed field fails the same way.
 *
 * @param state the block's writes so far (this transaction's action writes here too)
 * @param sender the recovered signer, whose fee and nonce are already settled
 * @param body the signed body
 * @param height the block's height
 * @param blockHash hash of the previous block (the seed for deterministic assignments)
 * @param proposer the block's proposer
 */
public record TxContext(
    StateOverlay state,
    Address sender,
    TxBody body,
    long height,
    Hash blockHash,
    Address proposer) {

  /** The id of an object this transaction creates: see {@link #objectId(String, Address, long)}. */
  public Hash newObjectId(String kind) {
    return objectId(kind, sender, body.getNonce());
  }

  /**
   * keccak256(kind ‖ creator ‖ nonce): unique because a (creator, nonce) pair is used by one
   * transaction only, and known to the creator before the transaction is included.
   */
  public static Hash objectId(String kind, Address creator, long nonce) {
    return Keccak.hash(
        kind.getBytes(StandardCharsets.US_ASCII),
        creator.toArray(),
        ByteBuffer.allocate(8).putLong(nonce).array());
  }

  /** A 32-byte hash field, or a failed action naming the field. */
  public static Hash hash32(com.google.protobuf.ByteString bytes, String what) {
    if (bytes.size() != Hash.SIZE) {
      throw new ActionFailedException(what + " must be 32 bytes, got " + bytes.size());
    }
    return Hash.copyOf(bytes.toByteArray());
  }

  /** A 20-byte address field, or a failed action naming the field. */
  public static Address address(com.google.protobuf.ByteString bytes, String what) {
    if (bytes.size() != Address.SIZE) {
      throw new ActionFailedException(what + " must be a 20-byte address, got " + bytes.size());
    }
    return Address.wrap(bytes.toByteArray());
  }

  /** A uint256 amount field in wei, or a failed action naming the field. */
  public static BigInteger amount(com.google.protobuf.ByteString bytes, String what) {
    try {
      return Amount.decode(bytes.toByteArray(), what);
    } catch (IllegalArgumentException e) {
      throw new ActionFailedException(e.getMessage());
    }
  }

  /** Takes {@code amount} from the sender's balance, or fails saying what the balance is. */
  public void debitSender(BigInteger amount) {
    AccountState account = state.account(sender);
    requireBalance(account, amount);
    state.put(sender, account.withBalance(account.balance().subtract(amount)));
  }

  /** Adds {@code amount} to {@code to}'s balance. */
  public void creditBalance(Address to, BigInteger amount) {
    creditBalance(state, to, amount);
  }

  /** Adds {@code amount} to {@code to}'s balance in {@code state}. */
  static void creditBalance(StateOverlay state, Address to, BigInteger amount) {
    AccountState account = state.account(to);
    state.put(to, account.withBalance(account.balance().add(amount)));
  }

  static void requireBalance(AccountState account, BigInteger amount) {
    if (account.balance().compareTo(amount) < 0) {
      throw new ActionFailedException(
          "amount "
              + Amount.formatOpen(amount)
              + " OPEN exceeds the balance "
              + Amount.formatOpen(account.balance())
              + " OPEN left after the fee");
    }
  }
}
