package io.ascribe.node.client;

/** A failed RPC call: the node's error message and code, or why the node could not be reached. */
public final class RpcClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int code;

  public RpcClientException(String message) {
    this(message, 0);
  }

  public RpcClientException(String message, int code) {
    super(message);
    this.code = code;
  }

  /** The JSON-RPC error code, 0 when the call never got an answer. */
  public int code() {
    return code;
  }
}
