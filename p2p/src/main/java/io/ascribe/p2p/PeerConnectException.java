package io.ascribe.p2p;

/** A connection that did not become a peer; the message says why. */
public final class PeerConnectException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PeerConnectException(String message) {
    super(message);
  }
}
