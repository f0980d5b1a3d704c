package io.ascribe.ledger.exec;

/** A block that a validator must refuse: it does not follow from the committed state. */
public final class InvalidBlockException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidBlockException(String message) {
    super(message);
  }
}
