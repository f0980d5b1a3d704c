package io.ascribe.consensus;

import io.ascribe.core.crypto.Secp256k1;
import java.util.Optional;

/**
 * Checks that a vote or proposal carries a valid signature of the validator it names. The machine
 * checks membership and the proposer itself; the signature check is behind this interface so a
 * driver that already verified on receipt, or a simulator, can supply a cheaper one.
 */
public interface VoteVerifier {

  boolean verify(SignedVote vote);

  boolean verify(Proposal proposal);

  /** secp256k1 recovery: the address recovered from the signature must be the claimed signer. */
  static VoteVerifier secp256k1(long chainId) {
    return secp256k1(chainId, PrecommitAttestation.NONE);
  }

  /**
   * secp256k1 recovery of the vote and, for a precommit for a block at a height whose {@code
   * attestation} digest is due, of its attestation too: both must recover to the claimed signer. A
   * vote with an attestation where none is due is refused as well, so commits carry no junk.
   */
  static VoteVerifier secp256k1(long chainId, PrecommitAttestation attestation) {
    return new VoteVerifier() {
      @Override
      public boolean verify(SignedVote vote) {
        if (!recovers(vote.digest(chainId), vote.signature(), vote.validator())) {
          return false;
        }
        Optional<io.ascribe.core.types.Hash> due;
        try {
          due =
              vote.type() == SignedVote.Type.PRECOMMIT && !vote.isNil()
                  ? attestation.digest(vote.height())
                  : Optional.empty();
        } catch (IllegalArgumentException unknownHeight) {
          return false;
        }
        if (due.isEmpty()) {
          return vote.attestation().isEmpty();
        }
        return vote.attestation().isPresent()
            && recovers(due.get(), vote.attestation().get(), vote.validator());
      }

      @Override
      public boolean verify(Proposal proposal) {
        return recovers(proposal.digest(chainId), proposal.signature(), proposal.proposer());
      }

      private boolean recovers(
          io.ascribe.core.types.Hash digest,
          io.ascribe.core.crypto.Signature signature,
          io.ascribe.core.types.Address signer) {
        try {
          return Secp256k1.recoverAddress(digest, signature).equals(signer);
        } catch (IllegalArgumentException e) {
          return false;
        }
      }
    };
  }
}
