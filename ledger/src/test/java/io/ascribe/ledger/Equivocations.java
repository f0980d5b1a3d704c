package io.ascribe.ledger;

import com.google.protobuf.ByteString;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.DoubleProposal;
import io.ascribe.core.proto.DoubleVote;
import io.ascribe.core.proto.EvidenceProposal;
import io.ascribe.core.proto.EvidenceVote;
import io.ascribe.core.proto.SubmitEvidence;
import io.ascribe.core.proto.Vote;
import io.ascribe.core.proto.VoteType;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.nio.ByteBuffer;

/** Signed votes and proposals, and evidence made of them, as a validator's key would sign them. */
final class Equivocations {
  private Equivocations() {}

  /** A made-up block hash, different for each {@code n}. */
  static Hash block(int n) {
    return Keccak.hash(ByteBuffer.allocate(4).putInt(n).array());
  }

  /** A vote for {@code block} (null: nil) signed by {@code key}. */
  static EvidenceVote vote(
      PrivateKey key, long chainId, long height, int round, VoteType type, Hash block) {
    Vote vote =
        Vote.newBuilder()
            .setChainId(chainId)
            .setHeight(height)
            .setRound(round)
            .setType(type)
            .setBlockHash(block == null ? ByteString.EMPTY : ByteString.copyFrom(block.toArray()))
            .build();
    return EvidenceVote.newBuilder()
        .setVote(vote)
        .setSignature(ByteString.copyFrom(key.sign(BlockHashing.voteDigest(vote)).toBytes()))
        .build();
  }

  static SubmitEvidence doubleVote(Address accused, EvidenceVote first, EvidenceVote second) {
    return SubmitEvidence.newBuilder()
        .setDoubleVote(
            DoubleVote.newBuilder()
                .setValidator(ByteString.copyFrom(accused.toArray()))
                .setFirst(first)
                .setSecond(second))
        .build();
  }

  /** {@code key}'s prevotes for two different blocks at (height, round): a real double sign. */
  static SubmitEvidence doublePrevote(PrivateKey key, long chainId, long height, int round) {
    return doubleVote(
        key.address(),
        vote(key, chainId, height, round, VoteType.VOTE_TYPE_PREVOTE, block(1)),
        vote(key, chainId, height, round, VoteType.VOTE_TYPE_PREVOTE, block(2)));
  }

  static EvidenceProposal proposal(
      PrivateKey key, long chainId, long height, int round, Hash value, int validRound) {
    return EvidenceProposal.newBuilder()
        .setHeight(height)
        .setRound(round)
        .setValue(ByteString.copyFrom(value.toArray()))
        .setValidRound(validRound)
        .setSignature(
            ByteString.copyFrom(
                key.sign(BlockHashing.proposalDigest(chainId, height, round, value, validRound))
                    .toBytes()))
        .build();
  }

  static SubmitEvidence doubleProposal(
      Address accused, EvidenceProposal first, EvidenceProposal second) {
    return SubmitEvidence.newBuilder()
        .setDoubleProposal(
            DoubleProposal.newBuilder()
                .setValidator(ByteString.copyFrom(accused.toArray()))
                .setFirst(first)
                .setSecond(second))
        .build();
  }
}
