package io.ascribe.ledger;

import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.CommitSig;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.exec.InvalidBlockException;
import io.ascribe.ledger.state.ValidatorSet;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks that a commit finalises a block: precommits for exactly this block, each signed by a
 * distinct member of the validator set, together holding more than two thirds of its power. A node
 * that syncs blocks from peers trusts nothing else about them.
 */
public final class CommitVerifier {
  private CommitVerifier() {}

  /**
   * @throws InvalidBlockException saying what is wrong with the commit
   */
  public static void verify(
      long chainId, long height, Hash blockHash, Commit commit, ValidatorSet validators) {
    if (commit.getHeight() != height
        || !commit
            .getBlockHash()
            .equals(com.google.protobuf.ByteString.copyFrom(blockHash.toArray()))) {
      throw new InvalidBlockException(
          "commit for height "
              + commit.getHeight()
              + " is not for block "
              + height
              + " "
              + blockHash);
    }
    Hash digest =
        BlockHashing.voteDigest(
            BlockHashing.precommit(chainId, height, commit.getRound(), blockHash));
    Set<Address> seen = new HashSet<>();
    long power = 0;
    for (CommitSig sig : commit.getSignaturesList()) {
      if (sig.getValidator().size() != Address.SIZE) {
        throw new InvalidBlockException("commit names a validator that is not a 20-byte address");
      }
      Address claimed = Address.wrap(sig.getValidator().toByteArray());
      Address signer;
      try {
        signer =
            Secp256k1.recoverAddress(digest, Signature.fromBytes(sig.getSignature().toByteArray()));
      } catch (IllegalArgumentException e) {
        throw new InvalidBlockException(
            "commit signature of " + claimed + " is malformed: " + e.getMessage());
      }
      if (!signer.equals(claimed)) {
        throw new InvalidBlockException(
            "commit signature claimed by " + claimed + " was made by " + signer);
      }
      ValidatorSet.Validator validator =
          validators
              .find(signer)
              .orElseThrow(
                  () ->
                      new InvalidBlockException("commit signer " + signer + " is not a validator"));
      if (!seen.add(signer)) {
        throw new InvalidBlockException("commit counts validator " + signer + " twice");
      }
      power += validator.votingPower();
    }
    // More than two thirds: 3 × power > 2 × total, in integers.
    if (3 * power <= 2 * validators.totalVotingPower()) {
      throw new InvalidBlockException(
          "commit for block "
              + height
              + " holds "
              + power
              + " of "
              + validators.totalVotingPower()
              + " voting power, not more than 2/3");
    }
  }
}
