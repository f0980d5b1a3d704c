package io.ascribe.node.content;

import io.ascribe.core.types.Hash;
import java.time.Duration;

/** No connected peer served the content for a hash (with matching bytes) before the deadline. */
public final class ContentUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Hash hash;

  public ContentUnavailableException(Hash hash, Duration timeout, int peersAsked) {
    super(
        "no peer served the content "
            + hash
            + " within "
            + timeout
            + " ("
            + peersAsked
            + (peersAsked == 1 ? " request" : " requests")
            + " to connected peers): the node that holds it may be offline, or nobody uploaded it"
            + " with ascribe_putContent",
        null,
        false,
        false);
    this.hash = hash;
  }

  public Hash hash() {
    return hash;
  }
}
