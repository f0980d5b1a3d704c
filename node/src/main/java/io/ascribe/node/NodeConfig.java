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
 * @param producesBlocks true for the chain's one validator, false for a full node that imports the
 *     blocks its peers commit
 */
public record NodeConfig(
    Path dataDir,
    Genesis genesis,
    PrivateKey nodeKey,
    String host,
    int rpcPort,
    int metricsPort,
    Optional<P2p> p2p,
    boolean producesBlocks) {

  /** A node alone that produces every block: the devnet. */
  public NodeConfig(
      Path dataDir,
      Genesis genesis,
      PrivateKey nodeKey,
      String host,
      int rpcPort,
      int metricsPort) {
    this(dataDir, genesis, nodeKey, host, rpcPort, metricsPort, Optional.empty(), true);
  }

  /** The p2p endpoint: listen address and the peers to stay connected to. */
  public record P2p(String host, int port, List<PeerAddress> persistentPeers) {
    public P2p {
      persistentPeers = List.copyOf(persistentPeers);
    }
  }
}
