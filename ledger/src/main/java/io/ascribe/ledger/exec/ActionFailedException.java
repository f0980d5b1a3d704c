package io.ascribe.ledger.exec;

/**
 * A transaction's action failed after its fee was paid: the transaction stays in the block with a
 * failed receipt carrying this message, and none of the action's writes are kept.
 */
public final class ActionFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ActionFailedException(String message) {
    super(message);
  }
}
