package io.ascribe.ledger.ai;

import io.ascribe.core.types.Hash;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ids of the datanets, of each datanet's contributions, of the tuning jobs and of the inference
 * receipt batches, in the order they were created (by height, then by id within a block), so
 * listings page through them stably: objects are never removed, and a new block's only go at the
 * end, so an offset keeps naming the same item.
 */
final class CreationOrder {
  private final List<Hash> datanets = new ArrayList<>();
  private final Map<Hash, List<Hash>> contributions = new HashMap<>();
  private final List<Hash> jobs = new ArrayList<>();
  private final List<Hash> batches = new ArrayList<>();

  /** Appends the objects one block (or, at start-up, the whole store) created. */
  synchronized void add(
      List<Datanet> newDatanets,
      List<Contribution> newContributions,
      List<TuningJob> newJobs,
      List<InferenceBatch> newBatches) {
    newDatanets.stream()
        .sorted(Comparator.comparingLong(Datanet::createdHeight).thenComparing(Datanet::id))
        .forEach(d -> datanets.add(d.id()));
    newContributions.stream()
        .sorted(Comparator.comparingLong(Contribution::height).thenComparing(Contribution::id))
        .forEach(
            c -> contributions.computeIfAbsent(c.datanet(), d -> new ArrayList<>()).add(c.id()));
    newJobs.stream()
        .sorted(Comparator.comparingLong(TuningJob::submittedHeight).thenComparing(TuningJob::id))
        .forEach(j -> jobs.add(j.id()));
    newBatches.stream()
        .sorted(Comparator.comparingLong(InferenceBatch::height).thenComparing(InferenceBatch::id))
        .forEach(b -> batches.add(b.id()));
  }

  synchronized Page<Hash> datanets(int offset, int limit) {
    return Page.slice(datanets, offset, limit);
  }

  synchronized Page<Hash> contributions(Hash datanet, int offset, int limit) {
    return Page.slice(contributions.getOrDefault(datanet, List.of()), offset, limit);
  }

  /** Every job's id so far, oldest first (a copy: listings filter it by the jobs' state). */
  synchronized List<Hash> jobs() {
    return List.copyOf(jobs);
  }

  /** Every receipt batch's id so far, oldest first (a copy, as {@link #jobs} is). */
  synchronized List<Hash> batches() {
    return List.copyOf(batches);
  }

  synchronized int contributionCount(Hash datanet) {
    return contributions.getOrDefault(datanet, List.of()).size();
  }
}
