package io.ascribe.p2p;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.Hello;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.proto.Pong;
import io.ascribe.core.types.Address;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's life: after TLS, check whose key the peer's certificate is bound to (and, when
 * dialling, that it is the node we meant), exchange hellos, then pass messages on. Anything wrong
 * is logged in one line, charged to the peer's score where the peer is known, and closes the
 * connection; the node itself carries on.
 */
final class PeerHandler extends SimpleChannelInboundHandler<PeerMessage> {
  private static final Logger LOG = LoggerFactory.getLogger(PeerHandler.class);

  private final P2pTransport transport;
  private final Optional<Address> expected;
  private final CompletableFuture<Peer> ready;
  private Address nodeId;
  private Peer peer;
  private boolean dropped;
  private long windowStartNanos = System.nanoTime();
  private int messagesInWindow;

  PeerHandler(P2pTransport transport, Optional<Address> expected, CompletableFuture<Peer> ready) {
    this.transport = transport;
    this.expected = expected;
    this.ready = ready;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (!(event instanceof SslHandshakeCompletionEvent handshake)) {
      super.userEventTriggered(ctx, event);
      return;
    }
    if (!handshake.isSuccess()) {
      fail(ctx, "TLS handshake failed: " + rootMessage(handshake.cause()));
      return;
    }
    try {
      X509Certificate certificate =
          (X509Certificate)
              ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates()[0];
      nodeId = CertificateBinding.nodeId(certificate);
    } catch (CertificateException | javax.net.ssl.SSLPeerUnverifiedException e) {
      fail(ctx, "peer certificate refused: " + e.getMessage());
      return;
    }
    if (expected.isPresent() && !expected.get().equals(nodeId)) {
      fail(ctx, "expected node " + expected.get() + " but its key is " + nodeId);
      return;
    }
    if (nodeId.equals(transport.nodeId())) {
      fail(ctx, "connected to itself");
      return;
    }
    if (transport.scores().isBanned(nodeId)) {
      fail(ctx, "node " + nodeId + " is banned for misbehaving");
      return;
    }
    ctx.writeAndFlush(
        PeerMessage.newBuilder()
            .setHello(
                Hello.newBuilder()
                    .setChainId(transport.options().chainId())
                    .setGenesisHash(
                        ByteString.copyFrom(transport.options().genesisHash().toArray())))
            .build());
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, PeerMessage message) {
    // Frames already decoded when the connection was dropped must not be charged again.
    if (dropped) {
      return;
    }
    if (flooding()) {
      misbehaved(
          ctx,
          Misbehaviour.FLOOD,
          "sent more than " + transport.options().maxMessagesPerSecond() + " messages in a second");
      return;
    }
    if (peer == null) {
      acceptHello(ctx, message);
      return;
    }
    switch (message.getKindCase()) {
      case PING ->
          ctx.writeAndFlush(
              PeerMessage.newBuilder()
                  .setPong(Pong.newBuilder().setNonce(message.getPing().getNonce()))
                  .build());
      case HELLO -> misbehaved(ctx, Misbehaviour.MALFORMED_MESSAGE, "sent a second hello");
      case KIND_NOT_SET -> misbehaved(ctx, Misbehaviour.MALFORMED_MESSAGE, "sent an empty message");
      default -> transport.listener().onMessage(peer, message);
    }
  }

  /**
   * Counts messages in one-second windows. The bound is far above what gossip at full load sends (a
   * transaction per message at 10,000 tx/s), so only a peer that floods on purpose reaches it.
   */
  private boolean flooding() {
    long now = System.nanoTime();
    if (now - windowStartNanos >= 1_000_000_000L) {
      windowStartNanos = now;
      messagesInWindow = 0;
    }
    return ++messagesInWindow > transport.options().maxMessagesPerSecond();
  }

  private void acceptHello(ChannelHandlerContext ctx, PeerMessage message) {
    if (nodeId == null) {
      fail(ctx, "sent data before the TLS handshake finished");
      return;
    }
    if (!message.hasHello()) {
      misbehaved(ctx, Misbehaviour.WRONG_CHAIN, "did not start with a hello");
      return;
    }
    Hello hello = message.getHello();
    if (hello.getChainId() != transport.options().chainId()
        || !hello
            .getGenesisHash()
            .equals(ByteString.copyFrom(transport.options().genesisHash().toArray()))) {
      misbehaved(
          ctx,
          Misbehaviour.WRONG_CHAIN,
          "is on chain "
              + hello.getChainId()
              + " with another genesis; this node is on chain "
              + transport.options().chainId());
      return;
    }
    peer = new Peer(ctx.channel(), nodeId, expected.isPresent(), transport.scores());
    LOG.info("Connected to peer {}", peer);
    ready.complete(peer);
    transport.listener().onPeer(peer);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (cause instanceof TruncatedFrameException truncated) {
      misbehaved(ctx, Misbehaviour.TRUNCATED_FRAME, truncated.getMessage());
    } else if (cause instanceof TooLongFrameException || root instanceof TooLongFrameException) {
      misbehaved(
          ctx,
          Misbehaviour.OVERSIZED_FRAME,
          "sent a frame over " + transport.options().maxFrameBytes() + " bytes");
    } else if (root instanceof NotSslRecordException || root instanceof SSLException) {
      fail(ctx, "not a TLS peer (" + rootMessage(root) + ")");
    } else if (cause instanceof DecoderException) {
      misbehaved(
          ctx,
          Misbehaviour.MALFORMED_MESSAGE,
          "sent a malformed message (" + rootMessage(root) + ")");
    } else {
      fail(ctx, "connection error: " + rootMessage(root));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (peer != null) {
      // A peer this node dropped was logged once, with the reason, when it was dropped.
      if (!dropped && peer.drop()) {
        LOG.info("Peer {} disconnected", peer);
      }
      transport.listener().onDisconnect(peer, "connection closed");
    }
    ready.completeExceptionally(
        new PeerConnectException(
            "connection to "
                + ctx.channel().remoteAddress()
                + " closed before the handshake finished"));
  }

  private void misbehaved(ChannelHandlerContext ctx, Misbehaviour what, String detail) {
    // Once per connection, whether this handler or the node (through the peer) dropped it first.
    if (dropped || (peer != null && !peer.drop())) {
      dropped = true;
      return;
    }
    boolean banned = nodeId != null && transport.scores().penalise(nodeId, what);
    fail(
        ctx,
        true,
        "it "
            + detail
            + (nodeId != null
                ? " ("
                    + what
                    + ", -"
                    + what.penalty()
                    + " points"
                    + (banned ? ", now banned)" : ")")
                : ""));
  }

  private void fail(ChannelHandlerContext ctx, String reason) {
    fail(ctx, false, reason);
  }

  /** Drops the connection with one log line: a warning when the peer misbehaved. */
  private void fail(ChannelHandlerContext ctx, boolean misbehaved, String reason) {
    dropped = true;
    if (peer != null) {
      peer.drop();
    }
    String who =
        nodeId != null
            ? nodeId + "@" + ctx.channel().remoteAddress()
            : String.valueOf(ctx.channel().remoteAddress());
    if (misbehaved) {
      LOG.warn("Dropped peer {}: {}", who, reason);
    } else {
      LOG.info("Dropped peer {}: {}", who, reason);
    }
    ready.completeExceptionally(new PeerConnectException("peer " + who + " dropped: " + reason));
    ctx.close();
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }
}
