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
import java.util.Optional;
import java.util.Set;

/**
 * Checks that a commit finalises a block: precommits for exactly this block, each signed by a
 * distinct member of the validator set, together holding more than two thirds of its power. At an
 * epoch's last block of a chain that settles on an EVM chain, every precommit must also carry its
 * validator's signature over the block's EIP-712 EpochRoot, as consensus counts only such
 * precommits. A node that syncs blocks from peers trusts nothing else about them, and serves those
 * signatures to relayers as it received them.
 */
public final class CommitVerifier {
  private CommitVerifier() {}

  /**
   * Verifies a commit of a block that carries no epoch root.
   *
   * @throws InvalidBlockException saying what is wrong with the commit
   */
  public static void verify(
      long chainId, long height, Hash blockHash, Commit commit, ValidatorSet validators) {
    verify(chainId, height, blockHash, commit, validators, Optional.empty());
  }

  /**
   * @param epochRootDigest what every precommit must also have signed (its {@code
   *     epoch_root_signature}); empty when the block needs no such signature, and then none may
   *     carry one
   * @throws InvalidBlockException saying what is wrong with the commit
   */
  public static void verify(
      long chainId,
      long height,
      Hash blockHash,
      Commit commit,
      ValidatorSet validators,
      Optional<Hash> epochRootDigest) {
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
      checkEpochRootSignature(sig, signer, epochRootDigest);
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

  private static void checkEpochRootSignature(
      CommitSig sig, Address validator, Optional<Hash> digest) {
    byte[] signature = sig.getEpochRootSignature().toByteArray();
    if (digest.isEmpty()) {
      if (signature.length > 0) {
        throw new InvalidBlockException(
            "commit carries an epoch-root signature of " + validator + " where none is due");
      }
      return;
    }
    if (signature.length == 0) {
      throw new InvalidBlockException(
          "precommit of " + validator + " lacks the epoch-root signature this block needs");
    }
    Address signer;
    try {
      signer = Secp256k1.recoverAddress(digest.get(), Signature.fromBytes(signature));
    } catch (IllegalArgumentException e) {
      throw new InvalidBlockException(
          "epoch-root signature of " + validator + " is malformed: " + e.getMessage());
    }
    if (!signer.equals(validator)) {
      throw new InvalidBlockException(
          "epoch-root signature of " + validator + " does not sign this block's epoch root");
    }
  }
}
