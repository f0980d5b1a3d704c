package io.ascribe.node.consensus;

import com.google.protobuf.ByteString;
import io.ascribe.consensus.Proposal;
import io.ascribe.consensus.SignedVote;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.proto.Block;
import io.ascribe.core.proto.ConsensusProposal;
import io.ascribe.core.proto.ConsensusVote;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.proto.VoteType;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.Optional;

/**
 * Converts consensus proposals and votes to and from their p2p messages. Decoding checks shapes
 * only; signatures are the consensus engine's to verify.
 */
final class ConsensusMessages {
  private ConsensusMessages() {}

  static PeerMessage proposal(Proposal proposal, Block block) {
    return PeerMessage.newBuilder()
        .setConsensusProposal(
            ConsensusProposal.newBuilder()
                .setHeight(proposal.height())
                .setRound(proposal.round())
                .setValue(ByteString.copyFrom(proposal.value().toArray()))
                .setValidRound(proposal.validRound())
                .setProposer(ByteString.copyFrom(proposal.proposer().toArray()))
                .setSignature(ByteString.copyFrom(proposal.signature().toBytes()))
                .setBlock(block))
        .build();
  }

  static PeerMessage vote(SignedVote vote) {
    return PeerMessage.newBuilder()
        .setConsensusVote(
            ConsensusVote.newBuilder()
                .setType(
                    vote.type() == SignedVote.Type.PREVOTE
                        ? VoteType.VOTE_TYPE_PREVOTE
                        : VoteType.VOTE_TYPE_PRECOMMIT)
                .setHeight(vote.height())
                .setRound(vote.round())
                .setValue(
                    vote.value()
                        .map(h -> ByteString.copyFrom(h.toArray()))
                        .orElse(ByteString.EMPTY))
                .setValidator(ByteString.copyFrom(vote.validator().toArray()))
                .setSignature(ByteString.copyFrom(vote.signature().toBytes()))
                .setEpochRootSignature(
                    vote.attestation()
                        .map(a -> ByteString.copyFrom(a.toBytes()))
                        .orElse(ByteString.EMPTY)))
        .build();
  }

  /**
   * @throws IllegalArgumentException when a field has the wrong shape
   */
  static Proposal proposal(ConsensusProposal message) {
    return new Proposal(
        message.getHeight(),
        message.getRound(),
        Hash.copyOf(message.getValue().toByteArray()),
        message.getValidRound(),
        Address.wrap(message.getProposer().toByteArray()),
        Signature.fromBytes(message.getSignature().toByteArray()));
  }

  /**
   * @throws IllegalArgumentException when a field has the wrong shape
   */
  static SignedVote vote(ConsensusVote message) {
    SignedVote.Type type =
        switch (message.getType()) {
          case VOTE_TYPE_PREVOTE -> SignedVote.Type.PREVOTE;
          case VOTE_TYPE_PRECOMMIT -> SignedVote.Type.PRECOMMIT;
          default -> throw new IllegalArgumentException("vote has no type");
        };
    Optional<Hash> value =
        message.getValue().isEmpty()
            ? Optional.empty()
            : Optional.of(Hash.copyOf(message.getValue().toByteArray()));
    Optional<Signature> attestation =
        message.getEpochRootSignature().isEmpty()
            ? Optional.empty()
            : Optional.of(Signature.fromBytes(message.getEpochRootSignature().toByteArray()));
    return new SignedVote(
        type,
        message.getHeight(),
        message.getRound(),
        value,
        Address.wrap(message.getValidator().toByteArray()),
        Signature.fromBytes(message.getSignature().toByteArray()),
        attestation);
  }
}
