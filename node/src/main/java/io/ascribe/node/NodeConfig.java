package io.ascribe.node;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.genesis.Genesis;
import java.nio.file.Path;

/**
 * What a node needs to start.
 *
 * @param dataDir where the chain's RocksDB store lives
 * @param genesis the chain's genesis
 * @param validatorKey the key this node signs blocks with
 * @param host the interface RPC and metrics listen on
 * @param rpcPort JSON-RPC (HTTP and WebSocket) port, 0 for a free one
 * @param metricsPort Prometheus port, 0 for a free one, -1 for none
 */
public record NodeConfig(
    Path dataDir,
    Genesis genesis,
    PrivateKey validatorKey,
    String host,
    int rpcPort,
    int metricsPort) {}
