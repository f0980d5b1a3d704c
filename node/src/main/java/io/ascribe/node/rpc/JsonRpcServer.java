package io.ascribe.node.rpc;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSON-RPC 2.0 server over HTTP and WebSocket on one port. It knows no chain: it answers the
 * methods in its {@link RpcRegistry} and pushes whatever {@link #publish} is given to subscribers.
 *
 * <p>HTTP: POST {@code /} with {@code Content-Type: application/json} carries a request or a batch;
 * GET {@code /health} answers {@code ok}; CORS is open so browser wallets can call it. WebSocket:
 * {@code /ws} carries the same requests plus {@code ascribe_subscribe}/{@code ascribe_unsubscribe}.
 * Methods run on a bounded pool of handler threads, so a slow method never stalls network I/O; when
 * the pool's queue is full the server answers busy (-32005) instead of queueing without bound. Each
 * connection's requests are answered in order.
 */
public final class JsonRpcServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JsonRpcServer.class);
  private static final String WEBSOCKET_PATH = "/ws";

  private final RpcServerOptions options;
  private final Subscriptions subscriptions;
  private final RpcDispatcher dispatcher;
  private final ThreadPoolExecutor pool;
  private final Set<WebSocketSession> sessions = ConcurrentHashMap.newKeySet();
  private final HttpListener listener;

  public JsonRpcServer(RpcRegistry registry, RpcServerOptions options) {
    this.options = options;
    ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    // The body limit already bounds a request; a string (a blob as hex) may fill the whole body.
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxStringLength(
                    Math.max(
                        StreamReadConstraints.DEFAULT_MAX_STRING_LEN,
                        Math.max(options.maxBodyBytes(), options.maxMessageBytes())))
                .build());
    this.subscriptions = new Subscriptions(mapper, options.sortedTopics());
    this.dispatcher = new RpcDispatcher(mapper, registry, subscriptions, options.maxBatchSize());
    this.pool =
        new ThreadPoolExecutor(
            options.handlerThreads(),
            options.handlerThreads(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(options.handlerQueue()),
            new DefaultThreadFactory("rpc-handler", true));
    this.listener =
        new HttpListener(
            "rpc", options.host(), options.port(), options.maxPendingWriteBytes(), this::pipeline);
  }

  /**
   * Binds the port and starts serving.
   *
   * @throws IOException if the address cannot be bound, e.g. the port is taken
   */
  public void start() throws IOException {
    listener.start(Math.min(4, Runtime.getRuntime().availableProcessors()));
    log.info(
        "JSON-RPC listening on http://{}:{} (WebSocket at {})",
        address().getHostString(),
        port(),
        WEBSOCKET_PATH);
  }

  /** The bound port, which is the free one chosen when the options asked for port 0. */
  public int port() {
    return listener.address().getPort();
  }

  public InetSocketAddress address() {
    return listener.address();
  }

  /**
   * Pushes a payload to every subscriber of a topic. It never blocks on a client: each gets the
   * notification queued, and a client too far behind is disconnected.
   *
   * @throws IllegalArgumentException if the topic is not one of the options' topics
   */
  public void publish(String topic, JsonNode payload) {
    subscriptions.publish(topic, payload);
  }

  /** How many subscriptions are open across all WebSocket clients. */
  public int subscriptionCount() {
    return subscriptions.count();
  }

  /** Says goodbye to WebSocket clients, closes every connection and frees the port. */
  @Override
  public void close() {
    List<Future<Void>> goodbyes = new ArrayList<>();
    for (Channel channel : listener.connections()) {
      goodbyes.add(sayGoodbye(channel));
    }
    for (Future<Void> goodbye : goodbyes) {
      goodbye.awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
    listener.close();
    pool.shutdownNow();
    log.info("JSON-RPC server closed");
  }

  // Checked on the channel's event loop so that a handshake completing right now is seen.
  private Future<Void> sayGoodbye(Channel channel) {
    Promise<Void> done = channel.eventLoop().newPromise();
    try {
      channel
          .eventLoop()
          .execute(
              () -> {
                boolean webSocket = sessions.stream().anyMatch(s -> s.channel() == channel);
                if (!webSocket) {
                  done.setSuccess(null);
                  return;
                }
                channel
                    .writeAndFlush(
                        new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE))
                    .addListener(
                        f -> {
                          channel.close();
                          done.setSuccess(null);
                        });
              });
    } catch (RejectedExecutionException e) {
      done.setSuccess(null); // its event loop is already gone, and the connection with it
    }
    return done;
  }

  private void pipeline(ChannelPipeline p) {
    p.addLast(new HttpServerCodec());
    p.addLast(new CorsHeader());
    p.addLast(new BodyLimit(options.maxBodyBytes(), dispatcher::refusalText));
    p.addLast(
        new WebSocketServerProtocolHandler(
            WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(WEBSOCKET_PATH)
                .maxFramePayloadLength(options.maxMessageBytes())
                .build()));
    p.addLast(new WebSocketFrameAggregator(options.maxMessageBytes()));
    p.addLast(new HttpRpcHandler(dispatcher, pool));
    p.addLast(new WebSocketRpcHandler(dispatcher, subscriptions, sessions, pool));
  }
}
