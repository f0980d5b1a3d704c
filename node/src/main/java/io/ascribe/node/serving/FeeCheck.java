package io.ascribe.node.serving;

import io.ascribe.core.crypto.Signature;
import io.ascribe.core.tx.FeeAuthorisation;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.FeeAuthorisationNonces;
import java.math.BigInteger;
import java.util.List;

/**
 * Checks a user's fee authorisation before the executor spends compute on the request, the way the
 * ledger will when the receipt is posted (signature over this chain, this executor and this
 * request; minimum fee; unused nonce; spending within the signed limit; a balance that pays), and
 * counting the receipts this executor holds but has not posted yet, so an authorisation cannot be
 * used twice between two batches.
 */
final class FeeCheck {
  private final Ledger ledger;
  private final Address executor;

  FeeCheck(Ledger ledger, Address executor) {
    this.ledger = ledger;
    this.executor = executor;
  }

  /**
   * The authorisation, verified for {@code requestHash}.
   *
   * @param pending the user's authorisations this executor holds unposted
   * @throws IllegalArgumentException saying what is wrong and what to sign instead
   */
  FeeAuthorisation check(
      io.ascribe.core.proto.FeeAuthorisation wire,
      Hash requestHash,
      List<io.ascribe.core.proto.FeeAuthorisation> pending) {
    long chainId = ledger.genesis().chainId();
    Address user = Address.wrap(wire.getUser().toByteArray());
    BigInteger fee = new BigInteger(1, wire.getFee().toByteArray());
    BigInteger limit = new BigInteger(1, wire.getFeeLimit().toByteArray());
    BigInteger min = ledger.genesis().params().ai().inference().minRequestFee();
    if (fee.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          "the fee "
              + Amount.formatOpen(fee)
              + " OPEN is below the minimum request fee "
              + Amount.formatOpen(min)
              + " OPEN");
    }
    FeeAuthorisation authorisation =
        new FeeAuthorisation(chainId, user, executor, wire.getNonce(), fee, limit, requestHash);
    Address signer;
    try {
      signer = authorisation.signer(Signature.fromBytes(wire.getSignature().toByteArray()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the fee authorisation's signature is malformed: " + e.getMessage());
    }
    if (!signer.equals(user)) {
      throw new IllegalArgumentException(
          "the fee authorisation is not signed by its user "
              + user
              + ": sign InferenceFee for chain "
              + chainId
              + ", executor "
              + executor
              + " and request hash "
              + requestHash);
    }
    FeeAuthorisationNonces nonces =
        ledger.feeAuthorisations(user).orElse(FeeAuthorisationNonces.none(user));
    BigInteger held = BigInteger.ZERO;
    for (io.ascribe.core.proto.FeeAuthorisation p : pending) {
      if (p.getNonce() == wire.getNonce()) {
        throw new IllegalArgumentException(
            "authorisation nonce "
                + wire.getNonce()
                + " was already used: sign the request again with a fresh nonce");
      }
      BigInteger f = new BigInteger(1, p.getFee().toByteArray());
      held = held.add(f);
      try {
        nonces = nonces.use(p.getNonce(), f);
      } catch (IllegalArgumentException stale) {
        // The ledger will refuse that one; it does not bear on this request.
      }
    }
    // Throws, with the ledger's own words, for a used or too old nonce.
    nonces = nonces.use(wire.getNonce(), fee);
    if (nonces.spent().compareTo(limit) > 0) {
      throw new IllegalArgumentException(
          "the fee "
              + Amount.formatOpen(fee)
              + " OPEN would bring "
              + user
              + "'s inference spending to "
              + Amount.formatOpen(nonces.spent())
              + " OPEN, over the limit of "
              + Amount.formatOpen(limit)
              + " OPEN it signed: sign a higher fee limit");
    }
    BigInteger balance = ledger.account(user).balance();
    if (balance.compareTo(held.add(fee)) < 0) {
      throw new IllegalArgumentException(
          user
              + "'s balance "
              + Amount.formatOpen(balance)
              + " OPEN cannot pay the fee "
              + Amount.formatOpen(fee)
              + " OPEN"
              + (held.signum() > 0
                  ? " on top of " + Amount.formatOpen(held) + " OPEN of requests not yet posted"
                  : ""));
    }
    return authorisation;
  }
}
