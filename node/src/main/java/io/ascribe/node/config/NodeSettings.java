package io.ascribe.node.config;

/**
 * The operator's settings in {@code HOME/config/node.toml}. Every key has a default, so the file
 * may name only what differs; unknown keys are refused, since a typo would otherwise be ignored.
 *
 * @param rpc where JSON-RPC listens
 * @param metrics where Prometheus metrics are served
 * @param p2p where peers connect and whom to dial
 * @param bridge the EVM node a validator watches for deposits; null (no {@code [bridge]} section)
 *     for none
 */
public record NodeSettings(Rpc rpc, Metrics metrics, P2p p2p, Bridge bridge) {
  public static final NodeSettings DEFAULT =
      new NodeSettings(Rpc.DEFAULT, Metrics.DEFAULT, P2p.DEFAULT, null);

  public NodeSettings {
    rpc = rpc == null ? Rpc.DEFAULT : rpc;
    metrics = metrics == null ? Metrics.DEFAULT : metrics;
    p2p = p2p == null ? P2p.DEFAULT : p2p;
  }

  /** Settings of a node that watches no EVM bridge. */
  public NodeSettings(Rpc rpc, Metrics metrics, P2p p2p) {
    this(rpc, metrics, p2p, null);
  }

  /**
   * The p2p endpoint and the peers to stay connected to, each {@code NODE_ID@HOST:PORT}.
   *
   * @param persistentPeers checked when the node starts (see {@code PeerAddress.parse})
   */
  public record P2p(
      String host,
      Integer port,
      @com.fasterxml.jackson.annotation.JsonProperty("persistent_peers")
          java.util.List<String> persistentPeers) {
    public static final P2p DEFAULT = new P2p("127.0.0.1", 26656, java.util.List.of());

    public P2p {
      host = host == null ? DEFAULT.host() : host;
      port = port == null ? DEFAULT.port() : port;
      persistentPeers =
          persistentPeers == null
              ? DEFAULT.persistentPeers()
              : java.util.List.copyOf(persistentPeers);
      Ports.require("p2p.port", port, false);
    }
  }

  /** JSON-RPC over HTTP and WebSocket. */
  public record Rpc(String host, Integer port) {
    public static final Rpc DEFAULT = new Rpc("127.0.0.1", 8645);

    public Rpc {
      host = host == null ? DEFAULT.host() : host;
      port = port == null ? DEFAULT.port() : port;
      Ports.require("rpc.port", port, false);
    }
  }

  /** The Prometheus endpoint; port -1 turns it off. */
  public record Metrics(String host, Integer port) {
    public static final Metrics DEFAULT = new Metrics("127.0.0.1", 9645);

    public Metrics {
      host = host == null ? DEFAULT.host() : host;
      port = port == null ? DEFAULT.port() : port;
      Ports.require("metrics.port", port, true);
    }
  }

  /**
   * The EVM node through which a validator watches the genesis's OpenBridge and attests deposits
   * (the bridge address and the confirmations come from the genesis, so every validator uses the
   * same).
   *
   * @param evmRpc the EVM node's JSON-RPC URL; required in the section
   * @param pollIntervalMs how often to ask it for new blocks
   * @param fromBlock the first EVM block to scan when the node has scanned none yet (the bridge's
   *     deployment block saves scanning the chain from its start)
   */
  public record Bridge(
      @com.fasterxml.jackson.annotation.JsonProperty("evm_rpc") String evmRpc,
      @com.fasterxml.jackson.annotation.JsonProperty("poll_interval_ms") Long pollIntervalMs,
      @com.fasterxml.jackson.annotation.JsonProperty("from_block") Long fromBlock) {
    public static final long DEFAULT_POLL_INTERVAL_MS = 2_000;

    public Bridge {
      if (evmRpc == null || !(evmRpc.startsWith("http://") || evmRpc.startsWith("https://"))) {
        throw new IllegalArgumentException(
            "bridge.evm_rpc must be the EVM node's JSON-RPC URL, such as"
                + " \"http://127.0.0.1:8545\", got "
                + (evmRpc == null ? "nothing" : "\"" + evmRpc + "\""));
      }
      pollIntervalMs = pollIntervalMs == null ? DEFAULT_POLL_INTERVAL_MS : pollIntervalMs;
      fromBlock = fromBlock == null ? 0 : fromBlock;
      if (pollIntervalMs < 10) {
        throw new IllegalArgumentException(
            "bridge.poll_interval_ms must be at least 10, got " + pollIntervalMs);
      }
      if (fromBlock < 0) {
        throw new IllegalArgumentException("bridge.from_block must be 0 or more, got " + fromBlock);
      }
    }
  }
}
