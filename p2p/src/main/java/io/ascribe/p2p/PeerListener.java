package io.ascribe.p2p;

import io.ascribe.core.proto.PeerMessage;

/** What the node hears from its transport. Called on network threads: hand heavy work off. */
public interface PeerListener {
  /** A peer finished the TLS handshake and the hello: it is on this chain and may be talked to. */
  default void onPeer(Peer peer) {}

  /** A message from a ready peer (hello and ping are handled by the transport). */
  default void onMessage(Peer peer, PeerMessage message) {}

  /** A ready peer went away, and why. */
  default void onDisconnect(Peer peer, String reason) {}
}
