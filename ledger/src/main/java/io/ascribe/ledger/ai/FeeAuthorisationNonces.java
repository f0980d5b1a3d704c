package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;

/**
 * A user's fee-authorisation nonces and inference spending. Authorisations reach the chain through
 * several executors in any order, so nonces need not come in sequence: a sliding window of {@value
 * #WINDOW} remembers which nonces below the highest one used were used too (bit i is nonce {@code
 * highest - i}), each is accepted once, and one older than the window is refused. The record stays
 * the same size however many requests the user makes. {@code spent} is what the user's fee limits
 * are checked against.
 */
public record FeeAuthorisationNonces(Address user, long highest, BigInteger used, BigInteger spent)
    implements LedgerObject {
  public static final int WINDOW = 256;

  private static final BigInteger MASK = BigInteger.ONE.shiftLeft(WINDOW).subtract(BigInteger.ONE);

  /** A user that has used no nonce yet. */
  public static FeeAuthorisationNonces none(Address user) {
    return new FeeAuthorisationNonces(user, -1, BigInteger.ZERO, BigInteger.ZERO);
  }

  public static Hash key(Address user) {
    return StateTreeHashing.objectKey("fee-authorisations", user.toArray());
  }

  @Override
  public Hash key() {
    return key(user);
  }

  /**
   * This record after the user's nonce {@code nonce} is used for a fee of {@code fee}.
   *
   * @throws IllegalArgumentException saying why the nonce cannot be used
   */
  public FeeAuthorisationNonces use(long nonce, BigInteger fee) {
    if (nonce < 0) {
      throw new IllegalArgumentException(
          "authorisation nonce " + Long.toUnsignedString(nonce) + " is above 2^63 - 1");
    }
    BigInteger next;
    long top = highest;
    if (nonce > highest) {
      long shift = nonce - highest;
      next = shift >= WINDOW ? BigInteger.ONE : used.shiftLeft((int) shift).setBit(0).and(MASK);
      top = nonce;
    } else {
      long age = highest - nonce;
      if (age >= WINDOW) {
        throw new IllegalArgumentException(
            "authorisation nonce "
                + nonce
                + " is more than "
                + WINDOW
                + " below the user's highest used nonce "
                + highest
                + ": sign the request again with a fresh nonce");
      }
      if (used.testBit((int) age)) {
        throw new IllegalArgumentException("authorisation nonce " + nonce + " was already used");
      }
      next = used.setBit((int) age);
    }
    return new FeeAuthorisationNonces(user, top, next, spent.add(fee));
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    return io.ascribe.core.proto.LedgerObject.newBuilder()
        .setFeeAuthorisationNonces(
            io.ascribe.core.proto.FeeAuthorisationNonces.newBuilder()
                .setUser(ByteString.copyFrom(user.toArray()))
                .setHighest(highest)
                .setUsed(ByteString.copyFrom(Amount.encode(used)))
                .setSpent(ByteString.copyFrom(Amount.encode(spent))))
        .build();
  }

  static FeeAuthorisationNonces fromProto(io.ascribe.core.proto.FeeAuthorisationNonces p) {
    return new FeeAuthorisationNonces(
        Address.wrap(p.getUser().toByteArray()),
        p.getHighest(),
        Amount.decode(p.getUsed().toByteArray(), "used nonces"),
        Amount.decode(p.getSpent().toByteArray(), "spent"));
  }
}
