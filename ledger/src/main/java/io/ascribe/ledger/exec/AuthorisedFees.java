package io.ascribe.ledger.exec;

import io.ascribe.core.crypto.Signature;
import io.ascribe.core.tx.FeeAuthorisation;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.FeeAuthorisationNonces;
import java.math.BigInteger;

/**
 * Charges an inference request's fee to its user on the strength of the user's signed {@link
 * FeeAuthorisation}: the signature must recover to the user over this chain, the executor posting
 * it and the request; the nonce must be unused in the user's own nonce space; the user's inference
 * spending, this fee included, must stay within the limit the user signed; and the fee must reach
 * the genesis minimum and be covered by the user's balance.
 */
final class AuthorisedFees {
  private final long chainId;
  private final BigInteger minRequestFee;

  AuthorisedFees(long chainId, BigInteger minRequestFee) {
    this.chainId = chainId;
    this.minRequestFee = minRequestFee;
  }

  /**
   * Verifies the user's signed fee authorisation for this executor and request, uses its nonce, and
   * moves the fee from the user's balance into the held payouts' keeping (the caller adds it to the
   * held total).
   */
  FeeAuthorisation charge(
      TxContext tx, io.ascribe.core.proto.FeeAuthorisation wire, Hash requestHash) {
    StateOverlay state = tx.state();
    Address user = TxContext.address(wire.getUser(), "fee authorisation user");
    BigInteger fee = TxContext.amount(wire.getFee(), "authorised fee");
    BigInteger limit = TxContext.amount(wire.getFeeLimit(), "fee limit");
    if (fee.compareTo(minRequestFee) < 0) {
      throw new ActionFailedException(
          "fee "
              + Amount.formatOpen(fee)
              + " OPEN is below the minimum request fee "
              + Amount.formatOpen(minRequestFee)
              + " OPEN");
    }
    FeeAuthorisation authorisation =
        new FeeAuthorisation(chainId, user, tx.sender(), wire.getNonce(), fee, limit, requestHash);
    Address signer;
    try {
      signer = authorisation.signer(Signature.fromBytes(wire.getSignature().toByteArray()));
    } catch (IllegalArgumentException e) {
      throw new ActionFailedException(
          "fee authorisation signature is malformed: " + e.getMessage());
    }
    if (!signer.equals(user)) {
      throw new ActionFailedException(
          "fee authorisation is not signed by its user "
              + user
              + ": the user must sign this chain id, executor, nonce, fee, fee limit and request"
              + " hash");
    }
    FeeAuthorisationNonces nonces =
        state
            .object(FeeAuthorisationNonces.key(user))
            .map(FeeAuthorisationNonces.class::cast)
            .orElse(FeeAuthorisationNonces.none(user));
    BigInteger spending = nonces.spent().add(fee);
    if (spending.compareTo(limit) > 0) {
      throw new ActionFailedException(
          "fee "
              + Amount.formatOpen(fee)
              + " OPEN would bring user "
              + user
              + "'s inference spending to "
              + Amount.formatOpen(spending)
              + " OPEN, over the limit of "
              + Amount.formatOpen(limit)
              + " OPEN it authorised");
    }
    FeeAuthorisationNonces used = nonces.use(wire.getNonce(), fee);
    var account = state.account(user);
    if (account.balance().compareTo(fee) < 0) {
      throw new ActionFailedException(
          "user "
              + user
              + "'s balance "
              + Amount.formatOpen(account.balance())
              + " OPEN cannot pay the fee "
              + Amount.formatOpen(fee)
              + " OPEN");
    }
    state.put(user, account.withBalance(account.balance().subtract(fee)));
    state.put(used);
    return authorisation;
  }
}
