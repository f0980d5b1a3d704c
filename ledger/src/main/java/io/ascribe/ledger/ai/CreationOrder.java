package io.ascribe.ledger.ai;

import io.ascribe.core.types.Hash;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ids of the datanets, and of each datanet's contributions, in the order they were created (by
 * height, then by id within a block), so listings page through them stably: objects are never
 * removed, and a new block's only go at the end, so an offset keeps naming the same item.
 */
final class CreationOrder {
  private final List<Hash> datanets = new ArrayList<>();
  private final Map<Hash, List<Hash>> contributions = new HashMap<>();

  /** Appends the objects one block (or, at start-up, the whole store) created. */
  synchronized void add(List<Datanet> newDatanets, List<Contribution> newContributions) {
    newDatanets.stream()
        .sorted(Comparator.comparingLong(Datanet::createdHeight).thenComparing(Datanet::id))
        .forEach(d -> datanets.add(d.id()));
    newContributions.stream()
        .sorted(Comparator.comparingLong(Contribution::height).thenComparing(Contribution::id))
        .forEach(
            c -> contributions.computeIfAbsent(c.datanet(), d -> new ArrayList<>()).add(c.id()));
  }

  synchronized Page<Hash> datanets(int offset, int limit) {
    return page(datanets, offset, limit);
  }

  synchronized Page<Hash> contributions(Hash datanet, int offset, int limit) {
    return page(contributions.getOrDefault(datanet, List.of()), offset, limit);
  }

  synchronized int contributionCount(Hash datanet) {
    return contributions.getOrDefault(datanet, List.of()).size();
  }

  private static Page<Hash> page(List<Hash> ids, int offset, int limit) {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must not be negative");
    }
    int from = Math.min(offset, ids.size());
    int to = (int) Math.min((long) from + limit, ids.size());
    return new Page<>(ids.subList(from, to), ids.size());
  }
}
