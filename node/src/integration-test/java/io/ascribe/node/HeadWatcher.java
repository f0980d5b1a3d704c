package io.ascribe.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.types.Hex;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows a node's new heads over its WebSocket subscription, so tests wait for blocks as events
 * instead of sleeping.
 */
final class HeadWatcher implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final BlockingQueue<JsonNode> heads = new LinkedBlockingQueue<>();
  private final WebSocket socket;
  private long lastHeight = -1;

  HeadWatcher(String wsUrl) {
    StringBuilder partial = new StringBuilder();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              try {
                JsonNode message = JSON.readTree(partial.toString());
                JsonNode head = message.path("params").path("result");
                if (head.has("number")) {
                  heads.add(head);
                }
              } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
              }
              partial.setLength(0);
            }
            ws.request(1);
            return null;
          }
        };
    socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(URI.create(wsUrl), listener)
            .join();
    socket
        .sendText(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ascribe_subscribe\",\"params\":[\"newHeads\"]}",
            true)
        .join();
  }

  /** The next head announced, waiting at most {@code timeout}. */
  JsonNode nextHead(Duration timeout) throws InterruptedException {
    JsonNode head = heads.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (head == null) {
      throw new AssertionError("no new block within " + timeout);
    }
    lastHeight = Hex.parseQuantity(head.path("number").asText()).longValueExact();
    return head;
  }

  /** Waits until a head at or above {@code height} arrives and returns its height. */
  long awaitHeight(long height, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (lastHeight < height) {
      JsonNode head = heads.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (head == null) {
        throw new AssertionError("no block at height " + height + " within " + timeout);
      }
      lastHeight = Hex.parseQuantity(head.path("number").asText()).longValueExact();
    }
    return lastHeight;
  }

  @Override
  public void close() {
    socket.abort();
  }
}
