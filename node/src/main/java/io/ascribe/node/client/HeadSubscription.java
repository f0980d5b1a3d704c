package io.ascribe.node.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.types.Quantities;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A node's new heads, followed over its WebSocket ({@code ascribe_subscribe ["newHeads"]}), each
 * stamped with its arrival time. Tools and tests wait on it for blocks instead of polling.
 */
public final class HeadSubscription implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A head as announced, its height, and when it arrived ({@link System#nanoTime}). */
  public record Head(JsonNode json, long height, long arrivedNanos) {}

  private final BlockingQueue<Head> heads = new LinkedBlockingQueue<>();
  private final WebSocket socket;
  private long lastHeight = -1;

  private HeadSubscription(URI ws) {
    StringBuilder partial = new StringBuilder();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              accept(partial.toString(), System.nanoTime());
              partial.setLength(0);
            }
            socket.request(1);
            return null;
          }
        };
    try {
      socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(ws, listener).join();
    } catch (java.util.concurrent.CompletionException e) {
      throw new RpcClientException("cannot open a WebSocket to " + ws + ": is the node running?");
    }
    socket
        .sendText(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ascribe_subscribe\",\"params\":[\"newHeads\"]}",
            true)
        .join();
  }

  /** Subscribes at the WebSocket beside {@code rpcUrl} ({@code http://host:port} → {@code /ws}). */
  public static HeadSubscription open(String rpcUrl) {
    return new HeadSubscription(URI.create(rpcUrl.replaceFirst("^http", "ws") + "/ws"));
  }

  private void accept(String text, long arrivedNanos) {
    JsonNode head;
    try {
      head = JSON.readTree(text).path("params").path("result");
    } catch (IOException e) {
      throw new IllegalStateException("the node sent a malformed WebSocket message", e);
    }
    // The subscription's own reply carries no head; notifications do.
    if (head.path("number").isTextual()) {
      heads.add(new Head(head, Quantities.parseLong(head.path("number").asText()), arrivedNanos));
    }
  }

  /**
   * The next head announced.
   *
   * @throws IllegalStateException when none comes within {@code timeout}
   */
  public Head next(Duration timeout) throws InterruptedException {
    Head head = heads.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (head == null) {
      throw new IllegalStateException(
          "no new block within " + timeout + ": is the node producing?");
    }
    lastHeight = head.height();
    return head;
  }

  /** Waits until a head at or above {@code height} has arrived; returns the height reached. */
  public long awaitHeight(long height, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (lastHeight < height) {
      next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    return lastHeight;
  }

  @Override
  public void close() {
    socket.abort();
  }
}
