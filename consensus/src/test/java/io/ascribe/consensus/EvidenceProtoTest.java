package io.ascribe.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.proto.DoubleProposal;
import io.ascribe.core.proto.DoubleVote;
import io.ascribe.core.proto.EvidenceProposal;
import io.ascribe.core.proto.EvidenceVote;
import io.ascribe.core.proto.VoteType;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Evidence leaves consensus in the form the ledger checks: each vote or proposal exactly as the
 * validator signed it, so its signature recovers to the validator from the wire bytes alone.
 */
class EvidenceProtoTest {
  private static final long CHAIN = 31337;
  private static final PrivateKey KEY = PrivateKey.fromBytes(Keccak.hash(new byte[] {1}).toArray());

  /** The validator's key with no guard, as a second copy of its node would sign. */
  private final KeySigner signer = new KeySigner(KEY, CHAIN, (h, r, step, digest) -> true);

  private static Hash block(String name) {
    return Keccak.hash(name.getBytes(StandardCharsets.US_ASCII));
  }

  private static Address signerOf(Hash digest, com.google.protobuf.ByteString signature) {
    return Secp256k1.recoverAddress(digest, Signature.fromBytes(signature.toByteArray()));
  }

  @Test
  void aDoubleVoteCarriesBothWireVotesWithTheirSignatures() {
    SignedVote a =
        signer.signVote(SignedVote.Type.PRECOMMIT, 9, 2, Optional.of(block("a"))).orElseThrow();
    SignedVote b = signer.signVote(SignedVote.Type.PRECOMMIT, 9, 2, Optional.empty()).orElseThrow();

    DoubleVote proof = new Action.Evidence(a, b).toProto(CHAIN).getDoubleVote();

    assertThat(proof.getValidator().toByteArray()).isEqualTo(KEY.address().toArray());
    for (EvidenceVote vote : new EvidenceVote[] {proof.getFirst(), proof.getSecond()}) {
      assertThat(vote.getVote().getChainId()).isEqualTo(CHAIN);
      assertThat(vote.getVote().getHeight()).isEqualTo(9);
      assertThat(vote.getVote().getRound()).isEqualTo(2);
      assertThat(vote.getVote().getType()).isEqualTo(VoteType.VOTE_TYPE_PRECOMMIT);
      assertThat(signerOf(BlockHashing.voteDigest(vote.getVote()), vote.getSignature()))
          .isEqualTo(KEY.address());
    }
    assertThat(proof.getFirst().getVote().getBlockHash().toByteArray())
        .isEqualTo(block("a").toArray());
    assertThat(proof.getSecond().getVote().getBlockHash().isEmpty()).isTrue();
  }

  @Test
  void aDoubleProposalCarriesBothSignedProposals() {
    Proposal a = signer.signProposal(9, 1, block("a"), -1).orElseThrow();
    Proposal b = signer.signProposal(9, 1, block("b"), 0).orElseThrow();

    DoubleProposal proof = new Action.ProposalEvidence(a, b).toProto().getDoubleProposal();

    assertThat(proof.getValidator().toByteArray()).isEqualTo(KEY.address().toArray());
    for (EvidenceProposal p : new EvidenceProposal[] {proof.getFirst(), proof.getSecond()}) {
      Hash digest =
          BlockHashing.proposalDigest(
              CHAIN,
              p.getHeight(),
              p.getRound(),
              Hash.copyOf(p.getValue().toByteArray()),
              p.getValidRound());
      assertThat(signerOf(digest, p.getSignature())).isEqualTo(KEY.address());
    }
    assertThat(proof.getSecond().getValidRound()).isZero();
  }
}
