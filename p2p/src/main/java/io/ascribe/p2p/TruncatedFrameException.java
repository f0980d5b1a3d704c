package io.ascribe.p2p;

import java.io.Serial;

/** A peer's connection ended with part of a frame read and the rest never sent. */
final class TruncatedFrameException extends Exception {
  @Serial private static final long serialVersionUID = 1L;

  TruncatedFrameException(String message) {
    super(message, null, false, false);
  }
}
