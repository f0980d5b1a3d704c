package io.ascribe.inference.rag;

/**
 * Where the time of one RAG answer went, in nanoseconds: retrieval (both searches and the query's
 * embedding), generation of the answer, the ablation forward passes of attribution and the fit of
 * its surrogate.
 */
public record Timings(
    long retrievalNanos, long generationNanos, long ablationNanos, long fitNanos) {
  /** Attribution's share: ablations plus the fit. */
  public long attributionNanos() {
    return ablationNanos + fitNanos;
  }

  public long totalNanos() {
    return retrievalNanos + generationNanos + ablationNanos + fitNanos;
  }
}
