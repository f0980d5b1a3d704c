package io.ascribe.node.config;

import io.ascribe.consensus.TimeoutConfig;

/**
 * The operator's settings in {@code HOME/config/node.toml}. Every key has a default, so the file
 * may name only what differs; unknown keys are refused, since a typo would otherwise be ignored.
 *
 * @param rpc where JSON-RPC listens
 * @param metrics where Prometheus metrics are served
 * @param p2p where peers connect and whom to dial
 * @param bridge the EVM node a validator watches for deposits; null (no {@code [bridge]} section)
 *     for none
 * @param consensus how long a validator waits at each consensus step
 */
public record NodeSettings(Rpc rpc, Metrics metrics, P2p p2p, Bridge bridge, Consensus consensus) {
  public static final NodeSettings DEFAULT =
      new NodeSettings(Rpc.DEFAULT, Metrics.DEFAULT, P2p.DEFAULT, null, Consensus.DEFAULT);

  public NodeSettings {
    rpc = rpc == null ? Rpc.DEFAULT : rpc;
    metrics = metrics == null ? Metrics.DEFAULT : metrics;
    p2p = p2p == null ? P2p.DEFAULT : p2p;
    consensus = consensus == null ? Consensus.DEFAULT : consensus;
  }

  /** Settings of a node that watches no EVM bridge, with the default consensus timeouts. */
  public NodeSettings(Rpc rpc, Metrics metrics, P2p p2p) {
    this(rpc, metrics, p2p, null, Consensus.DEFAULT);
  }

  /**
   * Consensus timeouts in milliseconds, CometBFT's {@code [consensus]} knobs: a step's timeout in
   * round r is its base plus r times its delta, so rounds lengthen until honest messages arrive in
   * time. Every validator should use the same; a slow network wants larger ones. Each key may be
   * left out for its default (CometBFT's: 3,000 + 500 to propose, 1,000 + 500 to vote).
   */
  public record Consensus(
      @com.fasterxml.jackson.annotation.JsonProperty("timeout_propose_ms") Long proposeMs,
      @com.fasterxml.jackson.annotation.JsonProperty("timeout_propose_delta_ms")
          Long proposeDeltaMs,
      @com.fasterxml.jackson.annotation.JsonProperty("timeout_prevote_ms") Long prevoteMs,
      @com.fasterxml.jackson.annotation.JsonProperty("timeout_prevote_delta_ms")
          Long prevoteDeltaMs,
      @com.fasterxml.jackson.annotation.JsonProperty("timeout_precommit_ms") Long precommitMs,
      @com.fasterxml.jackson.annotation.JsonProperty("timeout_precommit_delta_ms")
          Long precommitDeltaMs) {
    private static final TimeoutConfig D = TimeoutConfig.DEFAULT;
    public static final Consensus DEFAULT =
        new Consensus(
            D.proposeBase(),
            D.proposeDelta(),
            D.prevoteBase(),
            D.prevoteDelta(),
            D.precommitBase(),
            D.precommitDelta());

    public Consensus {
      proposeMs = atLeast("timeout_propose_ms", proposeMs, D.proposeBase(), 0);
      proposeDeltaMs = atLeast("timeout_propose_delta_ms", proposeDeltaMs, D.proposeDelta(), 1);
      prevoteMs = atLeast("timeout_prevote_ms", prevoteMs, D.prevoteBase(), 0);
      prevoteDeltaMs = atLeast("timeout_prevote_delta_ms", prevoteDeltaMs, D.prevoteDelta(), 1);
      precommitMs = atLeast("timeout_precommit_ms", precommitMs, D.precommitBase(), 0);
      precommitDeltaMs =
          atLeast("timeout_precommit_delta_ms", precommitDeltaMs, D.precommitDelta(), 1);
    }

    private static long atLeast(String key, Long value, long otherwise, long least) {
      long v = value == null ? otherwise : value;
      if (v < least) {
        throw new IllegalArgumentException(
            "consensus." + key + " must be at least " + least + " ms, got " + v);
      }
      return v;
    }

    /** The timeouts the consensus state machine runs with. */
    public TimeoutConfig timeouts() {
      return new TimeoutConfig(
          proposeMs, proposeDeltaMs, prevoteMs, prevoteDeltaMs, precommitMs, precommitDeltaMs);
    }
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
