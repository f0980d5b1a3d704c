package io.ascribe.ledger.exec;

import com.google.protobuf.ByteString;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.proto.DoubleProposal;
import io.ascribe.core.proto.DoubleVote;
import io.ascribe.core.proto.EvidenceProposal;
import io.ascribe.core.proto.EvidenceVote;
import io.ascribe.core.proto.SubmitEvidence;
import io.ascribe.core.proto.Vote;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.ValidatorRecord;

/**
 * A double sign proven by evidence: {@code validator} signed two different blocks (nil counts as
 * one) for the same {@code height}, {@code round} and {@code step}. {@link #of} checks the evidence
 * itself, signatures included, and knows nothing of the state; whether the signer was a validator
 * then, and whether it was already punished, are {@link SlashingRules}' to check.
 */
public record DoubleSign(Address validator, long height, int round, ValidatorRecord.Step step) {

  /**
   * The double sign that {@code evidence} proves on chain {@code chainId}.
   *
   * @throws ActionFailedException saying what is wrong with the evidence
   */
  public static DoubleSign of(long chainId, SubmitEvidence evidence) {
    return switch (evidence.getKindCase()) {
      case DOUBLE_VOTE -> votes(chainId, evidence.getDoubleVote());
      case DOUBLE_PROPOSAL -> proposals(chainId, evidence.getDoubleProposal());
      case KIND_NOT_SET ->
          throw new ActionFailedException("evidence holds neither a double vote nor a proposal");
    };
  }

  private static DoubleSign votes(long chainId, DoubleVote evidence) {
    Address validator = TxContext.address(evidence.getValidator(), "accused validator");
    Vote first = evidence.getFirst().getVote();
    Vote second = evidence.getSecond().getVote();
    for (Vote vote : new Vote[] {first, second}) {
      if (vote.getChainId() != chainId) {
        throw new ActionFailedException(
            "a vote of chain " + vote.getChainId() + " is no evidence on chain " + chainId);
      }
      if (!vote.getBlockHash().isEmpty() && vote.getBlockHash().size() != Hash.SIZE) {
        throw new ActionFailedException(
            "a vote's block hash must be empty (nil) or 32 bytes, got "
                + vote.getBlockHash().size());
      }
    }
    ValidatorRecord.Step step =
        switch (first.getType()) {
          case VOTE_TYPE_PREVOTE -> ValidatorRecord.Step.PREVOTE;
          case VOTE_TYPE_PRECOMMIT -> ValidatorRecord.Step.PRECOMMIT;
          default ->
              throw new ActionFailedException("the first vote is neither prevote nor precommit");
        };
    if (first.getHeight() != second.getHeight()
        || first.getRound() != second.getRound()
        || first.getType() != second.getType()) {
      throw new ActionFailedException(
          "the votes are for different steps ("
              + describe(first)
              + " and "
              + describe(second)
              + "): only two votes for one height, round and type are a double sign");
    }
    if (first.getBlockHash().equals(second.getBlockHash())) {
      throw new ActionFailedException(
          "both votes are for the same block: signing one vote twice is no double sign");
    }
    requireSigner(BlockHashing.voteDigest(first), evidence.getFirst(), validator, "first vote");
    requireSigner(BlockHashing.voteDigest(second), evidence.getSecond(), validator, "second vote");
    return new DoubleSign(validator, first.getHeight(), first.getRound(), step);
  }

  private static DoubleSign proposals(long chainId, DoubleProposal evidence) {
    Address validator = TxContext.address(evidence.getValidator(), "accused validator");
    EvidenceProposal first = evidence.getFirst();
    EvidenceProposal second = evidence.getSecond();
    if (first.getHeight() != second.getHeight() || first.getRound() != second.getRound()) {
      throw new ActionFailedException(
          "the proposals are for different rounds (height "
              + first.getHeight()
              + " round "
              + first.getRound()
              + " and height "
              + second.getHeight()
              + " round "
              + second.getRound()
              + "): only two proposals for one height and round are a double sign");
    }
    Hash firstValue = TxContext.hash32(first.getValue(), "first proposal's block hash");
    Hash secondValue = TxContext.hash32(second.getValue(), "second proposal's block hash");
    if (firstValue.equals(secondValue)) {
      throw new ActionFailedException(
          "both proposals are for the same block: proposing it again is no double sign");
    }
    requireSigner(
        proposalDigest(chainId, first, firstValue),
        first.getSignature(),
        validator,
        "first proposal");
    requireSigner(
        proposalDigest(chainId, second, secondValue),
        second.getSignature(),
        validator,
        "second proposal");
    return new DoubleSign(
        validator, first.getHeight(), first.getRound(), ValidatorRecord.Step.PROPOSAL);
  }

  private static Hash proposalDigest(long chainId, EvidenceProposal p, Hash value) {
    return BlockHashing.proposalDigest(
        chainId, p.getHeight(), p.getRound(), value, p.getValidRound());
  }

  private static void requireSigner(
      Hash digest, EvidenceVote vote, Address validator, String what) {
    requireSigner(digest, vote.getSignature(), validator, what);
  }

  private static void requireSigner(
      Hash digest, ByteString signature, Address validator, String what) {
    Address signer;
    try {
      signer = Secp256k1.recoverAddress(digest, Signature.fromBytes(signature.toByteArray()));
    } catch (IllegalArgumentException e) {
      throw new ActionFailedException("the " + what + "'s signature is invalid: " + e.getMessage());
    }
    if (!signer.equals(validator)) {
      throw new ActionFailedException(
          "the " + what + " was signed by " + signer + ", not by the accused " + validator);
    }
  }

  private static String describe(Vote vote) {
    return vote.getType() + " at height " + vote.getHeight() + " round " + vote.getRound();
  }
}
