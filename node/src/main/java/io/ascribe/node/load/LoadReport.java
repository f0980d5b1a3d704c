package io.ascribe.node.load;

import java.util.Arrays;

/**
 * What a load run measured.
 *
 * @param sent transactions sent
 * @param committed transactions found committed
 * @param seconds from the first send to the block that committed the last transaction
 * @param latenciesMs per committed transaction, from its send to the head announcing its block
 * @param blocks blocks that carried the load
 * @param sentPerNode transfers sent through each node, in the plan's order of nodes
 */
public record LoadReport(
    int sent, int committed, double seconds, long[] latenciesMs, int blocks, int[] sentPerNode) {

  public double committedPerSecond() {
    return committed / seconds;
  }

  public long latencyPercentileMs(double percentile) {
    if (latenciesMs.length == 0) {
      return 0;
    }
    long[] sorted = latenciesMs.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  @Override
  public String toString() {
    return String.format(
            "sent %d, committed %d in %.2f s over %d blocks: %.0f committed tx/s; commit latency median %d ms, p99 %d ms",
            sent,
            committed,
            seconds,
            blocks,
            committedPerSecond(),
            latencyPercentileMs(50),
            latencyPercentileMs(99))
        + (sentPerNode.length > 1
            ? "; sent through " + sentPerNode.length + " nodes " + Arrays.toString(sentPerNode)
            : "");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoadReport r
        && sent == r.sent
        && committed == r.committed
        && seconds == r.seconds
        && blocks == r.blocks
        && Arrays.equals(latenciesMs, r.latenciesMs)
        && Arrays.equals(sentPerNode, r.sentPerNode);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(latenciesMs) * 31 + sent;
  }
}
