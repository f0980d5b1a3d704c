package io.ascribe.node.config;

/**
 * The operator's settings in {@code HOME/config/node.toml}. Every key has a default, so the file
 * may name only what differs; unknown keys are refused, since a typo would otherwise be ignored.
 *
 * @param rpc where JSON-RPC listens
 * @param metrics where Prometheus metrics are served
 */
public record NodeSettings(Rpc rpc, Metrics metrics) {
  public static final NodeSettings DEFAULT = new NodeSettings(Rpc.DEFAULT, Metrics.DEFAULT);

  public NodeSettings {
    rpc = rpc == null ? Rpc.DEFAULT : rpc;
    metrics = metrics == null ? Metrics.DEFAULT : metrics;
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
