package io.ascribe.node.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Quantities;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebSocketRpcTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonRpcServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  /** Collects whole text messages and the close code; reads as fast as messages arrive. */
  private static final class Client implements WebSocket.Listener {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(partial.toString());
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }

    JsonNode next() throws Exception {
      String text = messages.poll(10, TimeUnit.SECONDS);
      assertThat(text).as("a message within 10 s").isNotNull();
      return JSON.readTree(text);
    }

    JsonNode call(String request) throws Exception {
      socket.sendText(request, true).get(10, TimeUnit.SECONDS);
      return next();
    }
  }

  @BeforeEach
  void start() throws Exception {
    RpcRegistry registry = new RpcRegistry().register("echo", params -> params);
    server =
        new JsonRpcServer(
            registry,
            RpcServerOptions.defaults("127.0.0.1", 0)
                .withTopics("newHeads", "logs")
                .withMaxMessageBytes(4096));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Client connect() throws Exception {
    Client client = new Client();
    client.socket =
        http.newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), client)
            .get(10, TimeUnit.SECONDS);
    return client;
  }

  private static ObjectNode head(long number) {
    return JsonNodeFactory.instance.objectNode().put("number", Quantities.toHex(number));
  }

  @Test
  void answersCallsOverWebSocket() throws Exception {
    Client client = connect();
    assertThat(
            client.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"hi\"]}"))
        .isEqualTo(JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[\"hi\"]}"));
    assertThat(client.call("{oops").at("/error/code").asInt()).isEqualTo(-32700);
  }

  @Test
  void subscribersReceivePublishedHeadsInOrder() throws Exception {
    Client client = connect();
    JsonNode subscribed =
        client.call(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ascribe_subscribe\",\"params\":[\"newHeads\"]}");
    String id = subscribed.get("result").asText();
    assertThat(id).matches("0x[1-9a-f][0-9a-f]*");
    assertThat(server.subscriptionCount()).isEqualTo(1);

    for (long n = 1; n <= 20; n++) {
      server.publish("newHeads", head(n));
    }
    server.publish("logs", head(99));
    for (long n = 1; n <= 20; n++) {
      JsonNode notification = client.next();
      assertThat(notification.get("jsonrpc").asText()).isEqualTo("2.0");
      assertThat(notification.get("method").asText()).isEqualTo("ascribe_subscription");
      assertThat(notification.has("id")).isFalse();
      assertThat(notification.at("/params/subscription").asText()).isEqualTo(id);
      assertThat(notification.at("/params/result")).isEqualTo(head(n));
    }
    // The logs notification went nowhere: the next message is the reply to this call.
    assertThat(client.call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\"}").get("id").asInt())
        .isEqualTo(2);
  }

  @Test
  void unsubscribeStopsNotifications() throws Exception {
    Client client = connect();
    String id =
        client
            .call(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ascribe_subscribe\",\"params\":[\"newHeads\"]}")
            .get("result")
            .asText();
    server.publish("newHeads", head(1));
    assertThat(client.next().at("/params/result")).isEqualTo(head(1));

    JsonNode unsubscribed =
        client.call(
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ascribe_unsubscribe\",\"params\":[\""
                + id
                + "\"]}");
    assertThat(unsubscribed.get("result").asBoolean()).isTrue();
    assertThat(server.subscriptionCount()).isZero();

    server.publish("newHeads", head(2));
    // Had head 2 been sent, it would arrive before this reply.
    assertThat(client.call("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"echo\"}").get("id").asInt())
        .isEqualTo(3);
    assertThat(
            client
                .call(
                    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ascribe_unsubscribe\",\"params\":[\""
                        + id
                        + "\"]}")
                .get("result")
                .asBoolean())
        .isFalse();
  }

  @Test
  void unknownTopicsAreRejectedNamingTheKnownOnes() throws Exception {
    Client client = connect();
    JsonNode response =
        client.call(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ascribe_subscribe\",\"params\":[\"pendingTxs\"]}");
    assertThat(response.at("/error/code").asInt()).isEqualTo(-32602);
    assertThat(response.at("/error/message").asText())
        .isEqualTo("unknown topic \"pendingTxs\"; the topics are logs, newHeads");
  }

  @Test
  void closingTheClientDropsItsSubscriptions() throws Exception {
    Client client = connect();
    client.call(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ascribe_subscribe\",\"params\":[\"newHeads\"]}");
    client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    assertThat(client.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    // The server has closed its side; publishing must neither fail nor reach the closed client.
    server.publish("newHeads", head(1));
    assertThat(client.messages).isEmpty();
  }

  @Test
  void anOversizedMessageClosesTheConnection() throws Exception {
    Client client = connect();
    client.socket.sendText("[" + "1,".repeat(4096) + "1]", true);
    assertThat(client.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
  }

  @Test
  void serverCloseSaysGoodbyeToClients() throws Exception {
    Client client = connect();
    server.close();
    assertThat(client.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
  }

  @Test
  void aClientThatStopsReadingIsDroppedWithoutBlockingThePublisher() throws Exception {
    server.close();
    server =
        new JsonRpcServer(
            new RpcRegistry(),
            RpcServerOptions.defaults("127.0.0.1", 0)
                .withTopics("newHeads")
                .withMaxPendingWriteBytes(64 * 1024));
    server.start();
    // Reads only the subscription reply, then never asks for more.
    CompletableFuture<String> reply = new CompletableFuture<>();
    WebSocket.Listener stalled =
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            reply.complete(data.toString());
            return null;
          }
        };
    WebSocket socket =
        http.newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), stalled)
            .get(10, TimeUnit.SECONDS);
    socket.sendText(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ascribe_subscribe\",\"params\":[\"newHeads\"]}",
        true);
    assertThat(reply.get(10, TimeUnit.SECONDS)).contains("\"result\":\"0x");

    ObjectNode bigHead = head(1).put("filler", "x".repeat(16 * 1024));
    int published = 0;
    while (server.subscriptionCount() > 0 && published < 100_000) {
      server.publish("newHeads", bigHead);
      published++;
    }
    assertThat(server.subscriptionCount()).isZero();
    socket.abort();
  }
}
