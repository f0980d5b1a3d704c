package io.ascribe.node.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One JSON-RPC method: it receives the request's raw {@code params} (an array or an object; an
 * empty array when the request had none) and returns the {@code result}. It signals a failure the
 * caller should see by throwing {@link RpcException}; any other exception is reported to the caller
 * as an internal error and logged. Methods run on the server's handler threads, never on a network
 * thread, so they may block briefly but should not wait on the network.
 */
@FunctionalInterface
public interface RpcMethod {
  JsonNode call(JsonNode params) throws RpcException;
}
