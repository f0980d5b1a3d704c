package io.ascribe.p2p;

import io.ascribe.core.types.Hash;

/**
 * How a node's p2p transport listens and whom it talks to.
 *
 * @param host interface to listen on
 * @param port TCP port, 0 for a free one
 * @param chainId peers must be on this chain
 * @param genesisHash and share this genesis
 * @param maxFrameBytes the largest frame a peer may send; larger ones cost the peer and close the
 *     connection
 * @param maxMessagesPerSecond more from one peer in a second is a flood: it costs the peer and
 *     closes the connection
 */
public record TransportOptions(
    String host,
    int port,
    long chainId,
    Hash genesisHash,
    int maxFrameBytes,
    int maxMessagesPerSecond) {
  public static final int DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

  /**
   * Far above what gossip at full load sends (a transaction per message at 10,000 tx/s), so only a
   * peer that floods on purpose reaches it.
   */
  public static final int DEFAULT_MAX_MESSAGES_PER_SECOND = 50_000;

  public TransportOptions(
      String host, int port, long chainId, Hash genesisHash, int maxFrameBytes) {
    this(host, port, chainId, genesisHash, maxFrameBytes, DEFAULT_MAX_MESSAGES_PER_SECOND);
  }

  public TransportOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("p2p port must be 0..65535, got " + port);
    }
    if (maxMessagesPerSecond < 1) {
      throw new IllegalArgumentException(
          "maxMessagesPerSecond must be positive, got " + maxMessagesPerSecond);
    }
    if (maxFrameBytes < 1024) {
      throw new IllegalArgumentException(
          "maxFrameBytes must be at least 1024, got " + maxFrameBytes);
    }
  }
}
