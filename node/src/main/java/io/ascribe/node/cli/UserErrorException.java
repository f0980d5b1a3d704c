package io.ascribe.node.cli;

/** A command that cannot go on because of what the user asked; the message says what to do. */
final class UserErrorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UserErrorException(String message) {
    super(message);
  }
}
