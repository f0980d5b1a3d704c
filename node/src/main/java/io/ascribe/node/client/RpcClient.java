package io.ascribe.node.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A JSON-RPC 2.0 client over HTTP for the CLI, the load tool and tests. */
public final class RpcClient {
  /** Room in an answer for a 16 MiB blob as hex (ascribe_getContent), with margin. */
  private static final int MAX_STRING_CHARS = 64 * 1024 * 1024;

  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder().maxStringLength(MAX_STRING_CHARS).build())
              .build());

  private final URI uri;
  private final HttpClient http;
  private final AtomicLong ids = new AtomicLong();
  private final Duration timeout;

  public RpcClient(String url) {
    this(url, Duration.ofSeconds(30));
  }

  /** A client whose calls may take up to {@code timeout} (inference runs for a while). */
  public RpcClient(String url, Duration timeout) {
    this.timeout = timeout;
    try {
      this.uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new RpcClientException("not a URL: " + url);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new RpcClientException("the RPC URL must start with http:// or https://, got " + url);
    }
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * Calls {@code method} with positional {@code params} (converted by Jackson) and returns its
   * result.
   *
   * @throws RpcClientException with the server's error message, or saying the node is unreachable
   */
  public JsonNode call(String method, Object... params) {
    ObjectNode request = JSON.createObjectNode();
    request.put("jsonrpc", "2.0");
    request.put("id", ids.incrementAndGet());
    request.put("method", method);
    ArrayNode array = request.putArray("params");
    for (Object param : params) {
      array.add(JSON.valueToTree(param));
    }
    JsonNode response = send(request);
    JsonNode error = response.get("error");
    if (error != null && !error.isNull()) {
      throw new RpcClientException(
          error.path("message").asText("unknown error"), error.path("code").asInt());
    }
    return response.path("result");
  }

  /**
   * Stores {@code bytes} on the node ({@code ascribe_putContent}) under {@code expected}, which the
   * node checks they hash to.
   *
   * @throws RpcClientException when the node refuses them (too large, another hash) or is away
   */
  public void putContent(byte[] bytes, Hash expected) {
    String stored = call("ascribe_putContent", Hex.encode(bytes), expected.toHex()).asText();
    if (!expected.toHex().equals(stored)) {
      throw new RpcClientException(
          "the node stored the content under " + stored + ", not " + expected);
    }
  }

  /**
   * The bytes the node holds under {@code hash} ({@code ascribe_getContent}).
   *
   * @throws RpcClientException when the node lacks them or is away
   */
  public byte[] getContent(Hash hash) {
    return Hex.decode(call("ascribe_getContent", hash.toHex()).asText());
  }

  private JsonNode send(JsonNode body) {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(response.body());
    } catch (java.net.ConnectException e) {
      throw new RpcClientException("cannot reach a node at " + uri + ": is it running?");
    } catch (IOException e) {
      throw new RpcClientException("RPC call to " + uri + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcClientException("interrupted while calling " + uri);
    }
  }
}
