package io.ascribe.node.sync;

import io.ascribe.p2p.P2pTransport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps connections to the peers named in the node's settings: dials each one that is not
 * connected, and after a failure waits twice as long as before (1 s up to 30 s) so a peer that is
 * down is not hammered. One log line per failure streak, not per attempt.
 */
public final class PersistentPeers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PersistentPeers.class);
  private static final long MIN_BACKOFF_MS = 1_000;
  private static final long MAX_BACKOFF_MS = 30_000;

  private final P2pTransport transport;
  private final ChainSync sync;
  private final List<PeerAddress> peers;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "peer-dialer"));
  private final Map<PeerAddress, Long> backoff = new HashMap<>();
  private final Map<PeerAddress, Long> nextAttempt = new HashMap<>();

  public PersistentPeers(P2pTransport transport, ChainSync sync, List<PeerAddress> peers) {
    this.transport = transport;
    this.sync = sync;
    this.peers = List.copyOf(peers);
  }

  public void start() {
    if (!peers.isEmpty()) {
      timer.scheduleWithFixedDelay(this::tick, 0, 500, TimeUnit.MILLISECONDS);
    }
  }

  private void tick() {
    long now = System.currentTimeMillis();
    for (PeerAddress peer : peers) {
      if (sync.isConnected(peer.nodeId()) || now < nextAttempt.getOrDefault(peer, 0L)) {
        continue;
      }
      // Until the dial resolves, don't dial again.
      nextAttempt.put(peer, Long.MAX_VALUE);
      transport
          .dial(peer.host(), peer.port(), peer.nodeId())
          .whenComplete((connected, failure) -> timer.execute(() -> settle(peer, failure)));
    }
  }

  private void settle(PeerAddress peer, Throwable failure) {
    if (failure == null) {
      backoff.remove(peer);
      nextAttempt.put(peer, 0L);
      return;
    }
    long wait = backoff.getOrDefault(peer, 0L);
    if (wait == 0) {
      LOG.warn("Cannot reach peer {}: {}; retrying with backoff", peer, rootMessage(failure));
    }
    wait = wait == 0 ? MIN_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, wait * 2);
    backoff.put(peer, wait);
    nextAttempt.put(peer, System.currentTimeMillis() + wait);
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t.getCause() != null ? t.getCause() : t;
    return String.valueOf(root.getMessage());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
