package io.ascribe.consensus;

import java.util.List;

/**
 * The write-ahead log of the events a machine consumed at its current height, and of the messages
 * it signed (logged as {@link Event.ProposalReceived} and {@link Event.VoteReceived}). A restarted
 * node starts the height again and replays these, which rebuilds the state it had (the machine is
 * deterministic), so it re-sends the same votes rather than new ones; the logged messages cover
 * what its signing guard will not sign a second time (any step before the last one it signed).
 */
public interface ConsensusWal extends AutoCloseable {

  /** Appends one event (never {@link Event.StartHeight}); durable after {@link #sync}. */
  void append(Event event);

  /** Makes everything appended so far survive a crash. */
  void sync();

  /** A new height begins: what the log holds is decided and in the block store, so drop it. */
  void startHeight(long height);

  /** The events since the last {@link #startHeight}, in the order they were appended. */
  List<Event> replay();

  @Override
  void close();
}
