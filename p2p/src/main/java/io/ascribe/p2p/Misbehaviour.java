package io.ascribe.p2p;

/** What a peer can do wrong, and how much each costs its score. */
public enum Misbehaviour {
  /** Bytes that are not a valid frame or message. */
  MALFORMED_MESSAGE(40),
  /** A frame over the size limit. */
  OVERSIZED_FRAME(50),
  /** A transaction or vote whose signature does not verify. */
  INVALID_SIGNATURE(50),
  /** A block that does not execute to its header, or whose commit does not hold. */
  INVALID_BLOCK(100),
  /** A vote from an account that is not a validator. */
  NON_VALIDATOR_VOTE(30),
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
