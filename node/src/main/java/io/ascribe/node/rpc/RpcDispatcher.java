package io.ascribe.node.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a JSON-RPC request body (one request or a batch) into the response body, independent of
 * transport. It validates each request, calls the method, and maps failures to error objects: an
 * {@link RpcException} as its code says, anything else as an internal error logged with its stack
 * trace. Notifications produce no response entry.
 */
final class RpcDispatcher {
  private static final Logger log = LoggerFactory.getLogger(RpcDispatcher.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectMapper mapper;
  private final RpcRegistry registry;
  private final Subscriptions subscriptions;
  private final int maxBatchSize;

  RpcDispatcher(
      ObjectMapper mapper, RpcRegistry registry, Subscriptions subscriptions, int maxBatchSize) {
    this.mapper = mapper;
    this.registry = registry;
    this.subscriptions = subscriptions;
    this.maxBatchSize = maxBatchSize;
  }

  /**
   * Handles one body.
   *
   * @param session the WebSocket client, or null over HTTP, where subscriptions are unavailable
   * @return the response text, or null when the body held only notifications
   */
  String dispatch(byte[] body, WebSocketSession session) {
    try {
      return dispatchChecked(body, session);
    } catch (RuntimeException e) {
      // A method returned a result Jackson cannot write; the caller still deserves an answer.
      log.warn("Cannot answer an RPC request", e);
      return write(error(NullNode.instance, RpcException.internal("internal error")));
    }
  }

  private String dispatchChecked(byte[] body, WebSocketSession session) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (IOException e) {
      return write(error(NullNode.instance, RpcException.parseError(parseProblem(e))));
    }
    if (root == null || root.isMissingNode()) {
      return write(error(NullNode.instance, RpcException.parseError("the body is empty")));
    }
    if (!root.isArray()) {
      ObjectNode response = handle(root, session);
      return response == null ? null : write(response);
    }
    if (root.isEmpty()) {
      return write(error(NullNode.instance, RpcException.invalidRequest("the batch is empty")));
    }
    if (root.size() > maxBatchSize) {
      return write(
          error(
              NullNode.instance,
              new RpcException(
                  RpcException.LIMIT_EXCEEDED,
                  "the batch has "
                      + root.size()
                      + " requests, over the limit of "
                      + maxBatchSize)));
    }
    ArrayNode responses = NODES.arrayNode();
    for (JsonNode request : root) {
      ObjectNode response = handle(request, session);
      if (response != null) {
        responses.add(response);
      }
    }
    return responses.isEmpty() ? null : write(responses);
  }

  /** A response saying the server is too busy to take the request. */
  String busy() {
    return write(
        error(
            NullNode.instance,
            new RpcException(RpcException.LIMIT_EXCEEDED, "the server is busy, try again")));
  }

  /** A response for a request refused before it was read, e.g. for its size. */
  String refusal(RpcException e) {
    return write(error(NullNode.instance, e));
  }

  /** An invalid-request response carrying this sentence. */
  String refusalText(String sentence) {
    return refusal(RpcException.invalidRequest(sentence));
  }

  private ObjectNode handle(JsonNode request, WebSocketSession session) {
    if (!request.isObject()) {
      return error(NullNode.instance, RpcException.invalidRequest("a request must be an object"));
    }
    JsonNode id = request.get("id");
    if (id != null && !(id.isTextual() || id.isNumber() || id.isNull())) {
      return error(
          NullNode.instance, RpcException.invalidRequest("id must be a string, a number or null"));
    }
    // Invalid requests are answered even without an id, as the specification asks.
    JsonNode replyId = id == null ? NullNode.instance : id;
    JsonNode version = request.get("jsonrpc");
    if (version == null || !version.isTextual() || !version.textValue().equals("2.0")) {
      return error(replyId, RpcException.invalidRequest("jsonrpc must be \"2.0\""));
    }
    JsonNode methodNode = request.get("method");
    if (methodNode == null || !methodNode.isTextual()) {
      return error(replyId, RpcException.invalidRequest("method must be a string"));
    }
    String method = methodNode.textValue();
    JsonNode params = request.get("params");
    if (params == null) {
      params = NODES.arrayNode();
    } else if (!params.isArray() && !params.isObject()) {
      return error(replyId, RpcException.invalidRequest("params must be an array or an object"));
    }
    boolean notification = id == null;
    try {
      JsonNode result = call(method, params, session);
      return notification ? null : success(id, result == null ? NullNode.instance : result);
    } catch (RpcException e) {
      log.debug("RPC {} failed: {} {}", method, e.code(), e.getMessage());
      return notification ? null : error(id, e);
    } catch (Exception e) {
      log.warn("RPC method {} threw an unexpected exception", method, e);
      return notification
          ? null
          : error(id, RpcException.internal("internal error while running " + method));
    }
  }

  private JsonNode call(String method, JsonNode params, WebSocketSession session) {
    if (method.equals(Subscriptions.SUBSCRIBE) || method.equals(Subscriptions.UNSUBSCRIBE)) {
      if (session == null) {
        throw new RpcException(
            RpcException.METHOD_NOT_FOUND,
            "the method " + method + " is only available over WebSocket at /ws");
      }
      return method.equals(Subscriptions.SUBSCRIBE)
          ? subscriptions.subscribe(params, session)
          : subscriptions.unsubscribe(params, session);
    }
    RpcMethod target = registry.find(method).orElseThrow(() -> RpcException.methodNotFound(method));
    return target.call(params);
  }

  private static ObjectNode success(JsonNode id, JsonNode result) {
    ObjectNode response = NODES.objectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id);
    response.set("result", result);
    return response;
  }

  private static ObjectNode error(JsonNode id, RpcException e) {
    ObjectNode error = NODES.objectNode();
    error.put("code", e.code());
    error.put("message", e.getMessage());
    if (e.data() != null) {
      error.set("data", e.data());
    }
    ObjectNode response = NODES.objectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id);
    response.set("error", error);
    return response;
  }

  private String write(JsonNode response) {
    try {
      return mapper.writeValueAsString(response);
    } catch (JsonProcessingException e) {
      // Only a method's own exotic JsonNode subclass could get here.
      throw new IllegalStateException("cannot write a response as JSON", e);
    }
  }

  // Jackson's messages carry a source excerpt and location over several lines; keep the first.
  private static String parseProblem(IOException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    int newline = message.indexOf('\n');
    return "invalid JSON: " + (newline < 0 ? message : message.substring(0, newline));
  }
}
