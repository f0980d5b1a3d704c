package io.ascribe.consensus;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.CommitSig;
import io.ascribe.core.proto.DoubleProposal;
import io.ascribe.core.proto.DoubleVote;
import io.ascribe.core.proto.SubmitEvidence;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.List;

/**
 * What a {@link TendermintMachine} asks its driver to do. The machine never performs these itself:
 * the driver sends, schedules, commits and asks the application, then feeds the outcome back as an
 * {@link Event}.
 */
public sealed interface Action {

  /** Send this node's signed proposal to every peer. */
  record BroadcastProposal(Proposal proposal) implements Action {}

  /** Send this node's signed vote to every peer. */
  record BroadcastVote(SignedVote vote) implements Action {}

  /** Deliver {@link Event.TimeoutFired} for (step, height, round) after {@code millis}. */
  record ScheduleTimeout(Step step, long height, int round, long millis) implements Action {}

  /**
   * Height {@code height} is decided: the block of {@code proposal} is final, proven by {@code
   * precommits} (more than 2/3 of the power, all for the proposal's value in {@code
   * proposal.round()}). The machine then waits for {@link Event.StartHeight} of the next height.
   */
  record CommitValue(long height, Proposal proposal, List<SignedVote> precommits)
      implements Action {
    public CommitValue {
      precommits = List.copyOf(precommits);
    }

    public Hash value() {
      return proposal.value();
    }

    /** The wire commit that goes beside the block. */
    public Commit toProto() {
      Commit.Builder commit =
          Commit.newBuilder()
              .setHeight(height)
              .setRound(proposal.round())
              .setBlockHash(ByteString.copyFrom(value().toArray()));
      for (SignedVote vote : precommits) {
        CommitSig.Builder sig =
            CommitSig.newBuilder()
                .setValidator(ByteString.copyFrom(vote.validator().toArray()))
                .setSignature(ByteString.copyFrom(vote.signature().toBytes()));
        vote.attestation()
            .ifPresent(a -> sig.setEpochRootSignature(ByteString.copyFrom(a.toBytes())));
        commit.addSignatures(sig);
      }
      return commit.build();
    }
  }

  /**
   * This node proposes in (height, round) and has no valid value: build a block, answer with {@link
   * Event.ValueProposed}.
   */
  record ProposeRequest(long height, int round) implements Action {}

  /** Check the block with hash {@code value} and answer with {@link Event.ValueValidated}. */
  record ValidateRequest(long height, int round, Hash value) implements Action {}

  /**
   * A validator signed two different votes for one (height, round, type): proof of equivocation, to
   * be put in a block so the offender's stake is slashed.
   */
  record Evidence(SignedVote first, SignedVote second) implements Action {
    /** The evidence transaction's payload: both votes exactly as the validator signed them. */
    public SubmitEvidence toProto(long chainId) {
      return SubmitEvidence.newBuilder()
          .setDoubleVote(
              DoubleVote.newBuilder()
                  .setValidator(ByteString.copyFrom(first.validator().toArray()))
                  .setFirst(first.toEvidence(chainId))
                  .setSecond(second.toEvidence(chainId)))
          .build();
    }
  }

  /** The proposer of (height, round) signed two different proposals. */
  record ProposalEvidence(Proposal first, Proposal second) implements Action {
    /** The evidence transaction's payload: both proposals exactly as the proposer signed them. */
    public SubmitEvidence toProto() {
      return SubmitEvidence.newBuilder()
          .setDoubleProposal(
              DoubleProposal.newBuilder()
                  .setValidator(ByteString.copyFrom(first.proposer().toArray()))
                  .setFirst(first.toEvidence())
                  .setSecond(second.toEvidence()))
          .build();
    }
  }

  /**
   * A proposal for this height came signed by a validator whose turn it is not: {@code expected}
   * proposes in that round. The machine drops it; the driver, which knows which peer sent it,
   * charges that peer. Nothing here touches consensus state.
   */
  record RefusedProposal(Proposal proposal, Address expected) implements Action {}
}
