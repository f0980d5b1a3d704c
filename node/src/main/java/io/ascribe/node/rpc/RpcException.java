package io.ascribe.node.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A JSON-RPC error the caller is meant to see: its {@code code}, {@code message} and optional
 * {@code data} become the response's {@code error} object. The factories cover the codes the
 * JSON-RPC 2.0 specification reserves; server-defined failures (such as a rejected transaction) use
 * the constructor with a code in {@value #SERVER_ERROR_MIN}..{@value #SERVER_ERROR_MAX}. Being an
 * expected outcome, it is logged without a stack trace and does not fill one in.
 */
public final class RpcException extends RuntimeException {
  public static final int PARSE_ERROR = -32700;
  public static final int INVALID_REQUEST = -32600;
  public static final int METHOD_NOT_FOUND = -32601;
  public static final int INVALID_PARAMS = -32602;
  public static final int INTERNAL_ERROR = -32603;

  /** The range the specification leaves to servers for their own errors. */
  public static final int SERVER_ERROR_MIN = -32099;

  public static final int SERVER_ERROR_MAX = -32000;

  /** A request was refused because a limit (batch size, busy handlers) was reached. */
  public static final int LIMIT_EXCEEDED = -32005;

  private final int code;
  private final JsonNode data;

  public RpcException(int code, String message, JsonNode data) {
    // No cause, no suppression, no stack trace: these are answers, not bugs.
    super(message, null, false, false);
    this.code = code;
    this.data = data;
  }

  public RpcException(int code, String message) {
    this(code, message, null);
  }

  public static RpcException parseError(String message) {
    return new RpcException(PARSE_ERROR, message);
  }

  public static RpcException invalidRequest(String message) {
    return new RpcException(INVALID_REQUEST, message);
  }

  /** Names the method, since a typo in it is the usual cause. */
  public static RpcException methodNotFound(String method) {
    return new RpcException(METHOD_NOT_FOUND, "the method " + method + " does not exist");
  }

  public static RpcException invalidParams(String message) {
    return new RpcException(INVALID_PARAMS, message);
  }

  public static RpcException internal(String message) {
    return new RpcException(INTERNAL_ERROR, message);
  }

  public int code() {
    return code;
  }

  /** The optional {@code data} member of the error; {@code null} when there is none. */
  public JsonNode data() {
    return data;
  }
}
