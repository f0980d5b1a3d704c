package io.ascribe.node.config;

/**
 * The operator's settings in {@code HOME/config/node.toml}. Every key has a default, so the file
 * may name only what differs; unknown keys are refused, since a typo would otherwise be ignored.
 *
 * @param rpc where JSON-RPC listens
 * @param metrics where Prometheus metrics are served
 * @param p2p where peers connect and whom to dial
 */
public record NodeSettings(Rpc rpc, Metrics metrics, P2p p2p) {
  public static final NodeSettings DEFAULT =
      new NodeSettings(Rpc.DEFAULT, Metrics.DEFAULT, P2p.DEFAULT);

  public NodeSettings {
    rpc = rpc == null ? Rpc.DEFAULT : rpc;
    metrics = metrics == null ? Metrics.DEFAULT : metrics;
    p2p = p2p == null ? P2p.DEFAULT : p2p;
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
}
