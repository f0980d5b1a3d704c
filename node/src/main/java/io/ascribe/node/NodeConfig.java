package io.ascribe.node;

import io.ascribe.consensus.TimeoutConfig;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.genesis.Genesis;
import io.ascribe.node.sync.PeerAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a node needs to start.
 *
 * @param dataDir where the chain's RocksDB store lives
 * @param genesis the chain's genesis
 * @param nodeKey the key this node signs blocks with and proves itself to peers with
 * @param host the interface RPC and metrics listen on
 * @param rpcPort JSON-RPC (HTTP and WebSocket) port, 0 for a free one
 * @param metricsPort Prometheus port, 0 for a free one, -1 for none
 * @param p2p where to listen for peers and whom to keep connected to; empty for a node alone
 * @param role how the node takes part in the chain
 * @param bridge the EVM node to watch for deposits to attest; empty for none
 */
public record NodeConfig(
    Path dataDir,
    Genesis genesis,
    PrivateKey nodeKey,
    String host,
    int rpcPort,
    int metricsPort,
    Optional<P2p> p2p,
    Role role,
    Optional<BridgeWatch> bridge,
    TimeoutConfig timeouts) {

  /** How a node takes part. */
  public enum Role {
    /** The chain's only validator: it produces every block by itself (the devnet). */
    SOLE_VALIDATOR,
    /** One validator among several: blocks are decided by Tendermint consensus over p2p. */
    VALIDATOR,
    /** Not a validator: it imports, checks and serves the blocks its peers commit. */
    FULL_NODE
  }

  public NodeConfig {
    if (role != Role.SOLE_VALIDATOR && p2p.isEmpty()) {
      throw new IllegalArgumentException(role + " needs a p2p endpoint to reach its peers");
    }
    if (bridge.isPresent() && genesis.bridge().isEmpty()) {
      throw new IllegalArgumentException(
          "deposits are watched only on a chain whose genesis has a bridge section (the"
              + " OpenBridge address, its EVM chain id and the confirmations); this one has none");
    }
  }

  /** A node with CometBFT's consensus timeouts. */
  public NodeConfig(
      Path dataDir,
      Genesis genesis,
      PrivateKey nodeKey,
      String host,
      int rpcPort,
      int metricsPort,
      Optional<P2p> p2p,
      Role role,
      Optional<BridgeWatch> bridge) {
    this(
        dataDir,
        genesis,
        nodeKey,
        host,
        rpcPort,
        metricsPort,
        p2p,
        role,
        bridge,
        TimeoutConfig.DEFAULT);
  }

  /** A node that watches no EVM chain. */
  public NodeConfig(
      Path dataDir,
      Genesis genesis,
      PrivateKey nodeKey,
      String host,
      int rpcPort,
      int metricsPort,
      Optional<P2p> p2p,
      Role role) {
    this(dataDir, genesis, nodeKey, host, rpcPort, metricsPort, p2p, role, Optional.empty());
  }

  /** A node alone that produces every block: the devnet. */
  public NodeConfig(
      Path dataDir,
      Genesis genesis,
      PrivateKey nodeKey,
      String host,
      int rpcPort,
      int metricsPort) {
    this(
        dataDir,
        genesis,
        nodeKey,
        host,
        rpcPort,
        metricsPort,
        Optional.empty(),
        Role.SOLE_VALIDATOR,
        Optional.empty());
  }

  /** The same node, watching the EVM chain through {@code watch} for deposits to attest. */
  public NodeConfig withBridge(BridgeWatch watch) {
    return new NodeConfig(
        dataDir,
        genesis,
        nodeKey,
        host,
        rpcPort,
        metricsPort,
        p2p,
        role,
        Optional.of(watch),
        timeouts);
  }

  /** The same node, waiting {@code newTimeouts} for each consensus step. */
  public NodeConfig withTimeouts(TimeoutConfig newTimeouts) {
    return new NodeConfig(
        dataDir, genesis, nodeKey, host, rpcPort, metricsPort, p2p, role, bridge, newTimeouts);
  }

  /**
   * Where a validator watches the genesis's OpenBridge for deposits.
   *
   * @param evmRpcUrl the EVM node's JSON-RPC URL
   * @param pollInterval how often it is asked for new blocks
   * @param fromBlock the first EVM block to scan (the bridge's deployment block) when the node has
   *     not scanned any yet
   */
  public record BridgeWatch(String evmRpcUrl, Duration pollInterval, long fromBlock) {
    public BridgeWatch {
      if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException("the EVM poll interval must be at least 10 ms");
      }
      if (fromBlock < 0) {
        throw new IllegalArgumentException("the first EVM block to scan must be 0 or more");
      }
    }
  }

  /** The p2p endpoint: listen address and the peers to stay connected to. */
  public record P2p(String host, int port, List<PeerAddress> persistentPeers) {
    public P2p {
      persistentPeers = List.copyOf(persistentPeers);
    }
  }
}
