package io.ascribe.node.rpc;

import java.util.Set;
import java.util.TreeSet;

/**
 * How a {@link JsonRpcServer} listens and what it accepts. {@link #defaults} gives sensible limits;
 * the {@code with...} methods change one setting each.
 *
 * @param host the interface to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port the TCP port, or 0 for a free one (read it back with {@link JsonRpcServer#port})
 * @param maxBodyBytes the largest HTTP request body; a larger one gets HTTP 413
 * @param maxMessageBytes the largest WebSocket message; a larger one closes the connection (1009)
 * @param maxBatchSize the most requests one batch may hold
 * @param handlerThreads threads that run RPC methods, off the network threads
 * @param handlerQueue requests that may wait for a handler thread before the server says busy
 * @param maxPendingWriteBytes bytes that may wait to be sent to one connection; a WebSocket
 *     subscriber further behind is disconnected so it cannot hold memory or slow publishing
 * @param topics the subscription topics clients may subscribe to, e.g. {@code newHeads}
 */
public record RpcServerOptions(
    String host,
    int port,
    int maxBodyBytes,
    int maxMessageBytes,
    int maxBatchSize,
    int handlerThreads,
    int handlerQueue,
    int maxPendingWriteBytes,
    Set<String> topics) {

  public static final int DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

  public RpcServerOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    requirePositive("maxBodyBytes", maxBodyBytes);
    requirePositive("maxMessageBytes", maxMessageBytes);
    requirePositive("maxBatchSize", maxBatchSize);
    requirePositive("handlerThreads", handlerThreads);
    requirePositive("handlerQueue", handlerQueue);
    requirePositive("maxPendingWriteBytes", maxPendingWriteBytes);
    topics = Set.copyOf(topics);
  }

  /** 5 MiB bodies and messages, batches of 1000, 8 handler threads, 4 MiB per-client backlog. */
  public static RpcServerOptions defaults(String host, int port) {
    return new RpcServerOptions(
        host,
        port,
        DEFAULT_MAX_BODY_BYTES,
        DEFAULT_MAX_BODY_BYTES,
        1000,
        8,
        1024,
        4 * 1024 * 1024,
        Set.of());
  }

  public RpcServerOptions withMaxBodyBytes(int bytes) {
    return new RpcServerOptions(
        host,
        port,
        bytes,
        maxMessageBytes,
        maxBatchSize,
        handlerThreads,
        handlerQueue,
        maxPendingWriteBytes,
        topics);
  }

  public RpcServerOptions withMaxMessageBytes(int bytes) {
    return new RpcServerOptions(
        host,
        port,
        maxBodyBytes,
        bytes,
        maxBatchSize,
        handlerThreads,
        handlerQueue,
        maxPendingWriteBytes,
        topics);
  }

  public RpcServerOptions withMaxPendingWriteBytes(int bytes) {
    return new RpcServerOptions(
        host,
        port,
        maxBodyBytes,
        maxMessageBytes,
        maxBatchSize,
        handlerThreads,
        handlerQueue,
        bytes,
        topics);
  }

  public RpcServerOptions withTopics(String... names) {
    return new RpcServerOptions(
        host,
        port,
        maxBodyBytes,
        maxMessageBytes,
        maxBatchSize,
        handlerThreads,
        handlerQueue,
        maxPendingWriteBytes,
        Set.of(names));
  }

  /** The topics in alphabetical order, for messages. */
  Set<String> sortedTopics() {
    return new TreeSet<>(topics);
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
