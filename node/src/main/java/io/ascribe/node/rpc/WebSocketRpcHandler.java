package io.ascribe.node.rpc;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves JSON-RPC over a WebSocket at {@code /ws}: each text message is a request or batch, each
 * reply a text message, and the connection may hold subscriptions. Netty's protocol handler before
 * this one answers pings and close frames; this one sees only complete data messages.
 */
final class WebSocketRpcHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(WebSocketRpcHandler.class);

  private final RpcDispatcher dispatcher;
  private final Subscriptions subscriptions;
  private final Set<WebSocketSession> sessions;
  private final Executor pool;
  private OrderedCalls calls;
  private WebSocketSession session;

  WebSocketRpcHandler(
      RpcDispatcher dispatcher,
      Subscriptions subscriptions,
      Set<WebSocketSession> sessions,
      Executor pool) {
    this.dispatcher = dispatcher;
    this.subscriptions = subscriptions;
    this.sessions = sessions;
    this.pool = pool;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    calls = new OrderedCalls(ctx.channel(), pool);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      WebSocketSession opened = new WebSocketSession(ctx.channel());
      session = opened;
      sessions.add(opened);
      ctx.channel()
          .closeFuture()
          .addListener(
              f -> {
                subscriptions.drop(opened);
                sessions.remove(opened);
              });
      log.debug("WebSocket client connected from {}", ctx.channel().remoteAddress());
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof TextWebSocketFrame text) {
      byte[] body;
      try {
        body = text.content().toString(StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
      } finally {
        text.release();
      }
      WebSocketSession caller = session;
      calls.submit(
          () -> dispatcher.dispatch(body, caller),
          reply -> {
            // Activating before the write is safe: publishers on other threads queue their
            // notifications behind this event-loop task, so the reply with the id goes first.
            subscriptions.activate(caller);
            if (reply != null) {
              ctx.writeAndFlush(new TextWebSocketFrame(reply), ctx.voidPromise());
            }
          },
          () -> ctx.writeAndFlush(new TextWebSocketFrame(dispatcher.busy()), ctx.voidPromise()));
    } else if (msg instanceof BinaryWebSocketFrame binary) {
      binary.release();
      close(ctx, WebSocketCloseStatus.INVALID_MESSAGE_TYPE, "send JSON-RPC as text messages");
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  /** The connection's failures, HTTP or WebSocket, end here: one log line, then close. */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (session != null && cause instanceof TooLongFrameException) {
      log.debug("WebSocket client {} sent a message over the limit", ctx.channel().remoteAddress());
      close(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, cause.getMessage());
    } else if (cause instanceof IOException || cause instanceof DecoderException) {
      // Resets and malformed input are the client's doing; for WebSocket protocol violations
      // Netty has already sent the close frame.
      log.debug("RPC connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    } else {
      log.warn("RPC connection {} failed", ctx.channel().remoteAddress(), cause);
      ctx.close();
    }
  }

  private static void close(ChannelHandlerContext ctx, WebSocketCloseStatus status, String why) {
    ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), why))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
