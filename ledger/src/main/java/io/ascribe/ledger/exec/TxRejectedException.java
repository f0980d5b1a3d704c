package io.ascribe.ledger.exec;

/**
 * A transaction that cannot be included at the current state: wrong chain, stale or future nonce,
 * fee below the minimum, or a balance that cannot pay the fee. The message says which and what to
 * do.
 */
public final class TxRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TxRejectedException(String message) {
    super(message);
  }
}
