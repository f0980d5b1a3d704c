package io.ascribe.consensus;

import io.ascribe.core.crypto.Secp256k1;

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
    return new VoteVerifier() {
      @Override
      public boolean verify(SignedVote vote) {
        return recovers(vote.digest(chainId), vote.signature(), vote.validator());
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
