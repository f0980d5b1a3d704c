package io.ascribe.node;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.genesis.Genesis;
import io.ascribe.node.sync.PeerAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Validators run in this JVM over real TLS p2p on loopback, for the consensus and executor ITs:
 * validator {@code i} keeps its data in {@code DIR/vi}, listens on a free port (the same one again
 * when it is restarted) and dials every validator started before it. {@link #nodes} holds the
 * running ones by index; {@link #close} stops them all.
 */
public final class InJvmValidators implements AutoCloseable {
  /** The running validators by index; null for one not started or stopped by the test. */
  public final AscribeNode[] nodes;

  private final Path dir;
  private final List<PrivateKey> keys;
  private final int[] p2pPorts;

  public InJvmValidators(Path dir, List<PrivateKey> keys) {
    this.dir = dir;
    this.keys = List.copyOf(keys);
    this.nodes = new AscribeNode[keys.size()];
    this.p2pPorts = new int[keys.size()];
  }

  /** Starts validator {@code i} on {@code genesis}. */
  public AscribeNode start(int i, Genesis genesis) throws Exception {
    List<PeerAddress> peers = new ArrayList<>();
    for (int j = 0; j < keys.size(); j++) {
      if (j != i && p2pPorts[j] != 0) {
        peers.add(new PeerAddress(keys.get(j).address(), "127.0.0.1", p2pPorts[j]));
      }
    }
    AscribeNode node =
        AscribeNode.start(
            new NodeConfig(
                dir.resolve("v" + i),
                genesis,
                keys.get(i),
                "127.0.0.1",
                0,
                -1,
                Optional.of(new NodeConfig.P2p("127.0.0.1", p2pPorts[i], peers)),
                NodeConfig.Role.VALIDATOR));
    p2pPorts[i] = node.p2pPort().orElseThrow();
    nodes[i] = node;
    return node;
  }

  @Override
  public void close() {
    for (AscribeNode node : nodes) {
      if (node != null) {
        node.close();
      }
    }
  }
}
