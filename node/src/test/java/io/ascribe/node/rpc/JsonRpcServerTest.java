package io.ascribe.node.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ascribe.core.types.Quantities;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JsonRpcServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BODY_LIMIT = 1024;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final CompletableFuture<JsonNode> notified = new CompletableFuture<>();
  private final CountDownLatch slowEntered = new CountDownLatch(1);
  private final CountDownLatch slowRelease = new CountDownLatch(1);
  private JsonRpcServer server;

  @BeforeEach
  void start() throws Exception {
    RpcRegistry registry =
        new RpcRegistry()
            .register("echo", params -> params)
            .register(
                "block_number",
                params -> {
                  long n = Params.of(params).atMost(1).quantity(0, "blockNumber");
                  return TextNode.valueOf(Quantities.toHex(n + 1));
                })
            .register(
                "notify",
                params -> {
                  notified.complete(params);
                  return null;
                })
            .register("nothing", params -> null)
            .register(
                "slow",
                params -> {
                  slowEntered.countDown();
                  try {
                    slowRelease.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return TextNode.valueOf("done");
                })
            .register(
                "send_tx",
                params -> {
                  throw new RpcException(
                      -32000, "transaction rejected", TextNode.valueOf("nonce too low"));
                })
            .register(
                "broken",
                params -> {
                  throw new IllegalStateException("secret detail");
                });
    server =
        new JsonRpcServer(
            registry,
            RpcServerOptions.defaults("127.0.0.1", 0)
                .withMaxBodyBytes(BODY_LIMIT)
                .withTopics("newHeads"));
    server.start();
  }

  @AfterEach
  void stop() {
    slowRelease.countDown();
    server.close();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private HttpResponse<String> post(String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri("/"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode call(String body) throws Exception {
    HttpResponse<String> response = post(body);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    return JSON.readTree(response.body());
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void answersASingleCall() throws Exception {
    JsonNode response =
        call("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"block_number\",\"params\":[\"0x1a\"]}");
    assertThat(response).isEqualTo(json("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x1b\"}"));
  }

  @Test
  void keepsStringIdsAndSendsNullResultsExplicitly() throws Exception {
    JsonNode response = call("{\"jsonrpc\":\"2.0\",\"id\":\"a-1\",\"method\":\"nothing\"}");
    assertThat(response).isEqualTo(json("{\"jsonrpc\":\"2.0\",\"id\":\"a-1\",\"result\":null}"));
  }

  @Test
  void answersABatchEntryByEntryLeavingOutNotifications() throws Exception {
    JsonNode response =
        call(
            "["
                + "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"a\"]},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"silent\"]},"
                + "42,"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"block_number\",\"params\":[26]}"
                + "]");
    assertThat(response)
        .isEqualTo(
            json(
                "["
                    + "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[\"a\"]},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32601,"
                    + "\"message\":\"the method nope does not exist\"}},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
                    + "\"message\":\"a request must be an object\"}},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32602,"
                    + "\"message\":\"parameter 0 (blockNumber) must be a hex quantity string"
                    + " such as \\\"0x1a\\\", got the number 26\"}}"
                    + "]"));
  }

  @Test
  void aNotificationRunsButGetsNoResponse() throws Exception {
    HttpResponse<String> response =
        post("{\"jsonrpc\":\"2.0\",\"method\":\"notify\",\"params\":[\"0x1\"]}");
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.body()).isEmpty();
    assertThat(notified.get(10, TimeUnit.SECONDS)).isEqualTo(json("[\"0x1\"]"));
  }

  @Test
  void aBatchOfNotificationsGetsNoResponse() throws Exception {
    HttpResponse<String> response =
        post("[{\"jsonrpc\":\"2.0\",\"method\":\"echo\"},{\"jsonrpc\":\"2.0\",\"method\":\"x\"}]");
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void aSlowMethodDoesNotHoldUpOtherClients() throws Exception {
    CompletableFuture<HttpResponse<String>> slow =
        http.sendAsync(
            HttpRequest.newBuilder(uri("/"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"slow\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();

    // These go over other connections while the slow call holds a handler thread.
    assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\"}").get("id").asInt())
        .isEqualTo(2);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(uri("/health")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
    assertThat(slow).isNotDone();

    slowRelease.countDown();
    assertThat(JSON.readTree(slow.get(10, TimeUnit.SECONDS).body()).get("result").asText())
        .isEqualTo("done");
  }

  @Test
  void malformedJsonIsAParseError() throws Exception {
    JsonNode response = call("{\"jsonrpc\": \"2.0\",, }");
    assertThat(response.get("id").isNull()).isTrue();
    assertThat(response.at("/error/code").asInt()).isEqualTo(-32700);
    assertThat(response.at("/error/message").asText()).startsWith("invalid JSON: ");
  }

  @Test
  void aTruncatedBodyIsAParseError() throws Exception {
    JsonNode response = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ec");
    assertThat(response.at("/error/code").asInt()).isEqualTo(-32700);
  }

  @Test
  void trailingGarbageIsAParseError() throws Exception {
    JsonNode response = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"} x");
    assertThat(response.at("/error/code").asInt()).isEqualTo(-32700);
  }

  @Test
  void invalidRequestsSayWhatIsWrong() throws Exception {
    assertThat(call("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"echo\"}"))
        .isEqualTo(
            json(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32600,"
                    + "\"message\":\"jsonrpc must be \\\"2.0\\\"\"}}"));
    assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}").at("/error/message").asText())
        .isEqualTo("method must be a string");
    assertThat(
            call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":\"x\"}")
                .at("/error/message")
                .asText())
        .isEqualTo("params must be an array or an object");
    assertThat(
            call("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"echo\"}").at("/error/code").asInt())
        .isEqualTo(-32600);
    assertThat(call("[]").at("/error/message").asText()).isEqualTo("the batch is empty");
  }

  @Test
  void unknownMethodIsNamed() throws Exception {
    JsonNode response = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_foo\"}");
    assertThat(response.at("/error/code").asInt()).isEqualTo(-32601);
    assertThat(response.at("/error/message").asText())
        .isEqualTo("the method eth_foo does not exist");
  }

  @Test
  void serverDefinedErrorsKeepTheirCodeAndData() throws Exception {
    JsonNode response = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"send_tx\"}");
    assertThat(response)
        .isEqualTo(
            json(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,"
                    + "\"message\":\"transaction rejected\",\"data\":\"nonce too low\"}}"));
  }

  @Test
  void unexpectedExceptionsAreInternalErrorsThatDoNotLeakDetails() throws Exception {
    JsonNode response = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"broken\"}");
    assertThat(response.at("/error/code").asInt()).isEqualTo(-32603);
    assertThat(response.at("/error/message").asText())
        .isEqualTo("internal error while running broken");
    assertThat(response.toString()).doesNotContain("secret detail");
  }

  @Test
  void subscriptionsNeedAWebSocket() throws Exception {
    JsonNode response =
        call(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ascribe_subscribe\",\"params\":[\"newHeads\"]}");
    assertThat(response.at("/error/code").asInt()).isEqualTo(-32601);
    assertThat(response.at("/error/message").asText()).contains("only available over WebSocket");
  }

  @Test
  void anOversizedBodyGets413AndTheServerGoesOn() throws Exception {
    String big =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\""
            + "x".repeat(BODY_LIMIT * 4)
            + "\"]}";
    HttpResponse<String> refused = post(big);
    assertThat(refused.statusCode()).isEqualTo(413);
    assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    JsonNode error = JSON.readTree(refused.body());
    assertThat(error.at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(error.at("/error/message").asText())
        .isEqualTo("the request body exceeds the limit of 1024 bytes");

    assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"echo\",\"params\":[1]}"))
        .isEqualTo(json("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":[1]}"));
  }

  @Test
  void refusesBodiesThatAreNotJson() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri("/"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(JSON.readTree(response.body()).at("/error/message").asText())
        .isEqualTo("the Content-Type must be application/json, got 'text/plain'");
  }

  @Test
  void acceptsJsonWithACharset() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri("/"))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void healthPathsAndMethods() throws Exception {
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(uri("/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok");

    HttpResponse<String> missing =
        http.send(
            HttpRequest.newBuilder(uri("/nope")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);

    HttpResponse<String> getRoot =
        http.send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(getRoot.statusCode()).isEqualTo(405);
    assertThat(getRoot.headers().firstValue("Allow")).contains("POST, OPTIONS");
  }

  @Test
  void browsersMayCallIt() throws Exception {
    HttpResponse<String> preflight =
        http.send(
            HttpRequest.newBuilder(uri("/"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Access-Control-Request-Method", "POST")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow())
        .contains("POST");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
        .contains("Content-Type");

    HttpResponse<String> answer = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"}");
    assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
  }

  @Test
  void keepsTheConnectionAliveAndAnswersPipelinedRequestsInOrder() throws Exception {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"first\"]}";
    String requests =
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length()
            + "\r\n\r\n"
            + body
            + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(requests.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      // The server closes after the second response, as that request asked.
      String both = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int first = both.indexOf("[\"first\"]");
      int second = both.lastIndexOf("HTTP/1.1 200 OK");
      assertThat(both).startsWith("HTTP/1.1 200 OK");
      assertThat(first).isPositive();
      assertThat(second).isGreaterThan(first);
      assertThat(both).endsWith("ok");
    }
  }

  @Test
  void closeReleasesThePort() throws Exception {
    int port = server.port();
    server.close();
    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(false);
      again.bind(new java.net.InetSocketAddress("127.0.0.1", port));
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void registryRefusesDuplicatesAndReservedNames() {
    RpcRegistry registry =
        new RpcRegistry().register("a", p -> JsonNodeFactory.instance.nullNode());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.register("a", p -> p))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the method a is already registered");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.register("rpc.x", p -> p))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> registry.register("ascribe_subscribe", p -> p))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(registry.names()).containsExactly("a");
  }
}
