package io.ascribe.p2p;

import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.types.Address;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connected, authenticated peer: its node id is the address of the key its TLS certificate is
 * bound to, and it has shown it is on this chain.
 */
public final class Peer {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Peer.class);

  private final Channel channel;
  private final Address nodeId;
  private final boolean outbound;
  private final PeerScores scores;
  private final AtomicBoolean dropped = new AtomicBoolean();

  Peer(Channel channel, Address nodeId, boolean outbound, PeerScores scores) {
    this.channel = channel;
    this.nodeId = nodeId;
    this.outbound = outbound;
    this.scores = scores;
  }

  /**
   * Charges the peer for a misbehaviour the node found (an invalid block, a bad signature) and
   * drops the connection, with one log line; the peer is banned once its penalties add up. A
   * connection is charged once: messages it sent before the drop and still queued behind it are not
   * charged again, so one burst costs one penalty and the peer's next connection starts clean.
   */
  public void penalise(Misbehaviour what, String detail) {
    if (!drop()) {
      return;
    }
    boolean banned = scores.penalise(nodeId, what);
    LOG.warn(
        "Dropped peer {}: {} ({}, -{} points{})",
        this,
        detail,
        what,
        what.penalty(),
        banned ? ", now banned" : "");
    channel.close();
  }

  /** Marks this connection dropped; true only the first time. */
  boolean drop() {
    return dropped.compareAndSet(false, true);
  }

  public Address nodeId() {
    return nodeId;
  }

  /** True when this node dialled the peer. */
  public boolean outbound() {
    return outbound;
  }

  public InetSocketAddress remoteAddress() {
    return (InetSocketAddress) channel.remoteAddress();
  }

  public boolean isConnected() {
    return channel.isActive();
  }

  /** Queues a message; it is dropped if the connection has closed. */
  public void send(PeerMessage message) {
    channel.writeAndFlush(message);
  }

  public void disconnect() {
    channel.close();
  }

  @Override
  public String toString() {
    return nodeId + "@" + channel.remoteAddress();
  }
}
