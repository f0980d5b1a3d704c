package io.ascribe.node;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.genesis.Genesis;
import io.ascribe.node.sync.PeerAddress;
import java.nio.file.Path;
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
 */
public record NodeConfig(
    Path dataDir,
    Genesis genesis,
    PrivateKey nodeKey,
    String host,
    int rpcPort,
    int metricsPort,
    Optional<P2p> p2p,
    Role role) {

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
        Role.SOLE_VALIDATOR);
  }

  /** The p2p endpoint: listen address and the peers to stay connected to. */
  public record P2p(String host, int port, List<PeerAddress> persistentPeers) {
    public P2p {
      persistentPeers = List.copyOf(persistentPeers);
    }
  }
}
