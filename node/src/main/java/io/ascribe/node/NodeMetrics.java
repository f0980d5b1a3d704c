package io.ascribe.node;

import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.node.mempool.Mempool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The node's Prometheus metrics: chain height, mempool size, committed transactions (a counter, and
 * the rate over the last ten seconds as a gauge for dashboards without PromQL), and the time to
 * execute and to commit each block.
 */
final class NodeMetrics {
  private static final long WINDOW_NANOS = Duration.ofSeconds(10).toNanos();

  private final Counter committedTxs;
  private final Timer executeTime;
  private final Timer commitTime;
  private final Deque<long[]> recent = new ArrayDeque<>();

  NodeMetrics(PrometheusMeterRegistry registry, Ledger ledger, Mempool mempool) {
    Gauge.builder("ascribe_chain_height", ledger, Ledger::height)
        .description("Height of the last committed block")
        .register(registry);
    Gauge.builder("ascribe_mempool_size", mempool, Mempool::size)
        .description("Transactions waiting for a block")
        .register(registry);
    Gauge.builder("ascribe_txs_per_second", this, NodeMetrics::txsPerSecond)
        .description("Committed transactions per second over the last 10 s")
        .register(registry);
    committedTxs =
        Counter.builder("ascribe_committed_txs")
            .description("Transactions committed")
            .register(registry);
    executeTime =
        Timer.builder("ascribe_block_execute")
            .description("Time to build and execute a block")
            .register(registry);
    commitTime =
        Timer.builder("ascribe_block_commit")
            .description("Time to write a block durably")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
  }

  synchronized void onBlock(ExecutedBlock block, long executeNanos, long commitNanos) {
    int txs = block.receipts().size();
    committedTxs.increment(txs);
    executeTime.record(Duration.ofNanos(executeNanos));
    commitTime.record(Duration.ofNanos(commitNanos));
    long now = System.nanoTime();
    recent.addLast(new long[] {now, txs});
    while (!recent.isEmpty() && now - recent.peekFirst()[0] > WINDOW_NANOS) {
      recent.removeFirst();
    }
  }

  private synchronized double txsPerSecond() {
    long total = recent.stream().mapToLong(e -> e[1]).sum();
    return total / (WINDOW_NANOS / 1e9);
  }
}
