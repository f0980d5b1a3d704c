package io.ascribe.node.content;

import io.ascribe.core.types.Hash;

/** Bytes offered under a hash they do not have; nothing was stored. */
public final class ContentMismatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Hash expected;
  private final transient Hash actual;

  public ContentMismatchException(Hash expected, Hash actual) {
    super(
        "the content's keccak256 is "
            + actual
            + ", not the expected "
            + expected
            + ": these are not the bytes that hash names; nothing was stored",
        null,
        false,
        false);
    this.expected = expected;
    this.actual = actual;
  }

  public Hash expected() {
    return expected;
  }

  public Hash actual() {
    return actual;
  }
}
