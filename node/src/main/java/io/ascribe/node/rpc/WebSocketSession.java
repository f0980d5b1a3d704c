package io.ascribe.node.rpc;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket client, as the subscription machinery sees it: somewhere to push notifications that
 * never makes the publisher wait. A client that stops reading is disconnected once its backlog
 * passes the channel's write limit, rather than buffering without bound.
 */
final class WebSocketSession {
  private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);

  private final Channel channel;
  private final AtomicBoolean dropped = new AtomicBoolean();

  WebSocketSession(Channel channel) {
    this.channel = channel;
  }

  Channel channel() {
    return channel;
  }

  /**
   * Queues a text message without waiting for it to be sent.
   *
   * @return false if the client was too far behind and has been disconnected
   */
  boolean push(String text) {
    if (!channel.isActive()) {
      return false;
    }
    // Writability turns false once queued bytes pass the high water mark, including writes still
    // in the event loop's task queue, so this check bounds memory per client.
    if (!channel.isWritable()) {
      if (dropped.compareAndSet(false, true)) {
        log.warn(
            "Disconnecting slow WebSocket client {}: more than {} bytes are waiting to be sent",
            channel.remoteAddress(),
            channel.config().getWriteBufferHighWaterMark());
        channel.close();
      }
      return false;
    }
    channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
    return true;
  }
}
