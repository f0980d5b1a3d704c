package io.ascribe.p2p;

/** What a peer can do wrong, and how much each costs its score. */
public enum Misbehaviour {
  /** Bytes that are not a valid frame or message. */
  MALFORMED_MESSAGE(40),
  /**
   * A connection closed in the middle of a frame. Cheap: an honest node killed mid-write does it
   * once; only a peer that keeps doing it adds up to a ban.
   */
  TRUNCATED_FRAME(10),
  /** A frame over the size limit. */
  OVERSIZED_FRAME(50),
  /** A transaction or vote whose signature does not verify. */
  INVALID_SIGNATURE(50),
  /** A block that does not execute to its header, or whose commit does not hold. */
  INVALID_BLOCK(100),
  /** A proposal signed by a validator whose turn to propose it is not. */
  WRONG_PROPOSER(50),
  /** A vote from an account that is not a validator. */
  NON_VALIDATOR_VOTE(30),
  /**
   * A consensus message for a height well past the head the sender itself announced: no honest node
   * sends those, so they are dropped unread, and a flood of them ends in a ban.
   */
  FAR_FUTURE_MESSAGE(25),
  /** More messages than the rate limit allows. */
  FLOOD(20),
  /** Content whose bytes do not hash to the hash it was asked for and sent under. */
  CONTENT_MISMATCH(100),
  /** A peer of another chain, or one that skips the hello. */
  WRONG_CHAIN(100);

  private final int penalty;

  Misbehaviour(int penalty) {
    this.penalty = penalty;
  }

  public int penalty() {
    return penalty;
  }
}
