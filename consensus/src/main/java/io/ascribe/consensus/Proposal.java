package io.ascribe.consensus;

import com.google.protobuf.ByteString;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.proto.EvidenceProposal;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;

/**
 * The paper's ⟨PROPOSAL, h, r, v, vr⟩: the round's proposer offers the block with hash {@code
 * value}, and {@code validRound} is the round in which it saw a quorum of prevotes for it (-1 for a
 * fresh block). The block itself travels beside the proposal; consensus only needs its hash.
 */
public record Proposal(
    long height, int round, Hash value, int validRound, Address proposer, Signature signature) {

  public Proposal {
    if (height < 1 || round < 0 || validRound < -1 || validRound >= round && validRound != -1) {
      throw new IllegalArgumentException(
          "proposal needs height >= 1, round >= 0 and -1 <= validRound < round");
    }
  }

  /** What the proposer signs: {@link BlockHashing#proposalDigest}. */
  public static Hash digest(long chainId, long height, int round, Hash value, int validRound) {
    return BlockHashing.proposalDigest(chainId, height, round, value, validRound);
  }

  public Hash digest(long chainId) {
    return digest(chainId, height, round, value, validRound);
  }

  /** This proposal as evidence carries it: the signed fields and the signature. */
  public EvidenceProposal toEvidence() {
    return EvidenceProposal.newBuilder()
        .setHeight(height)
        .setRound(round)
        .setValue(ByteString.copyFrom(value.toArray()))
        .setValidRound(validRound)
        .setSignature(ByteString.copyFrom(signature.toBytes()))
        .build();
  }
}
