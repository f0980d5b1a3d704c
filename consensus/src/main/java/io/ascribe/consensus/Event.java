package io.ascribe.consensus;

import io.ascribe.core.types.Hash;

/**
 * What a {@link TendermintMachine} reacts to: messages from the network, timeouts it asked for, and
 * the application's answers to its requests. Every event but {@link StartHeight} is journalled in
 * the write-ahead log, so replaying them rebuilds the machine's state after a crash.
 */
public sealed interface Event {

  /** The height this event belongs to. */
  long height();

  /**
   * Begin {@code height} with its validators: the paper's StartRound(0). The application sends it
   * after it has applied the previous height's block, since that block may change the validators.
   */
  record StartHeight(long height, Validators validators) implements Event {}

  /** A proposal arrived from the network. */
  record ProposalReceived(Proposal proposal) implements Event {
    @Override
    public long height() {
      return proposal.height();
    }
  }

  /** A prevote or precommit arrived from the network. */
  record VoteReceived(SignedVote vote) implements Event {
    @Override
    public long height() {
      return vote.height();
    }
  }

  /** A timeout that the machine scheduled with {@link Action.ScheduleTimeout} expired. */
  record TimeoutFired(Step step, long height, int round) implements Event {}

  /**
   * The application's verdict on a proposed block, the paper's valid(v): whether the block is well
   * formed and executing it gives the state root its header claims.
   */
  record ValueValidated(long height, Hash value, boolean valid) implements Event {}

  /** The application's answer to {@link Action.ProposeRequest}: the block this node proposes. */
  record ValueProposed(long height, int round, Hash value) implements Event {}
}
