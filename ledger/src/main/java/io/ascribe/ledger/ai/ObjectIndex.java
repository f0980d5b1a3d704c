package io.ascribe.ledger.ai;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The committed AI objects in memory with the lookups execution needs: by state key, by content
 * hash within a datanet, by MinHash band (locality-sensitive hashing) and every account's
 * cumulative reward, and the datanets, their contributions, the tuning jobs and the inference
 * receipt batches in creation order for paged listings. It is rebuilt from the stored objects at
 * start-up, like the accounts, and updated as blocks commit; it never decides anything, so a
 * rebuilt index gives the same results. Every object is held in memory already, so listings need no
 * secondary index on disk: the creation order is rebuilt with the rest.
 *
 * <p>LSH: the 64 MinHash slots are cut into {@link #BANDS} bands of {@link #ROWS}; two signatures
 * become candidates when some band is equal, and every candidate is then compared slot by slot. A
 * pair of similarity s is found with probability 1 - (1 - s^2)^32 (over 0.9999 at s = 0.5), and
 * since every validator holds the same index, even a missed pair is missed by all of them alike.
 */
public final class ObjectIndex {
  public static final int ROWS = 2;
  public static final int BANDS = MinHash.SLOTS / ROWS;

  private record ContentKey(Hash datanet, Hash contentHash) {}

  private record Band(Hash datanet, int band, long first, long second) {}

  private final Map<Hash, LedgerObject> objects = new ConcurrentHashMap<>();
  private final Map<ContentKey, Hash> byContent = new ConcurrentHashMap<>();
  private final Map<Band, List<Hash>> bands = new ConcurrentHashMap<>();
  private final Map<Address, BigInteger> rewards = new ConcurrentHashMap<>();
  private final CreationOrder order = new CreationOrder();

  /** An index over {@code stored} (the objects as loaded from the chain store). */
  public static ObjectIndex of(Collection<LedgerObject> stored) {
    ObjectIndex index = new ObjectIndex();
    index.apply(stored);
    return index;
  }

  /** Takes in the objects a committed block created or changed. */
  public void apply(Collection<LedgerObject> changed) {
    List<Datanet> newDatanets = new ArrayList<>();
    List<Contribution> newContributions = new ArrayList<>();
    List<TuningJob> newJobs = new ArrayList<>();
    List<InferenceBatch> newBatches = new ArrayList<>();
    for (LedgerObject object : changed) {
      LedgerObject previous = objects.put(object.key(), object);
      switch (object) {
        case Contribution c when previous == null -> {
          index(c);
          newContributions.add(c);
        }
        case Datanet d when previous == null -> newDatanets.add(d);
        case TuningJob j when previous == null -> newJobs.add(j);
        case InferenceBatch b when previous == null -> newBatches.add(b);
        case RewardAccount r -> rewards.put(r.account(), r.cumulative());
        default -> {}
      }
    }
    order.add(newDatanets, newContributions, newJobs, newBatches);
  }

  private void index(Contribution c) {
    byContent.put(new ContentKey(c.datanet(), c.contentHash()), c.id());
    for (Band band : bands(c.datanet(), c.minHash())) {
      bands.computeIfAbsent(band, b -> new CopyOnWriteArrayList<>()).add(c.id());
    }
  }

  private static List<Band> bands(Hash datanet, MinHash signature) {
    Band[] out = new Band[BANDS];
    for (int b = 0; b < BANDS; b++) {
      out[b] = new Band(datanet, b, signature.value(b * ROWS), signature.value(b * ROWS + 1));
    }
    return List.of(out);
  }

  public Optional<LedgerObject> get(Hash key) {
    return Optional.ofNullable(objects.get(key));
  }

  public Collection<LedgerObject> all() {
    return objects.values();
  }

  /** The contribution in {@code datanet} with exactly this content, if any. */
  public Optional<Hash> contentOwner(Hash datanet, Hash contentHash) {
    return Optional.ofNullable(byContent.get(new ContentKey(datanet, contentHash)));
  }

  /** The most similar contribution in {@code datanet} at or above {@code thresholdBps}. */
  public Optional<NearDuplicate> nearDuplicate(Hash datanet, MinHash signature, int thresholdBps) {
    Optional<NearDuplicate> best = Optional.empty();
    for (Band band : bands(datanet, signature)) {
      for (Hash id : bands.getOrDefault(band, List.of())) {
        if (objects.get(Contribution.key(id)) instanceof Contribution candidate) {
          best =
              NearDuplicate.closer(best, NearDuplicate.match(candidate, signature, thresholdBps));
        }
      }
    }
    return best;
  }

  /** Datanets in creation order, {@code limit} from {@code offset} on. */
  public Page<Datanet> datanets(int offset, int limit) {
    Page<Hash> ids = order.datanets(offset, limit);
    return new Page<>(
        ids.items().stream().map(id -> (Datanet) objects.get(Datanet.key(id))).toList(),
        ids.total());
  }

  /** A datanet's contributions in creation order, {@code limit} from {@code offset} on. */
  public Page<Contribution> contributions(Hash datanet, int offset, int limit) {
    Page<Hash> ids = order.contributions(datanet, offset, limit);
    return new Page<>(
        ids.items().stream().map(id -> (Contribution) objects.get(Contribution.key(id))).toList(),
        ids.total());
  }

  /**
   * The tuning jobs {@code filter} matches, oldest first, {@code limit} from {@code offset} on. The
   * jobs are scanned in creation order: every job is in memory already, and a status changes with
   * every block, so an index by status would cost more to keep than a scan costs to read.
   */
  public Page<TuningJob> jobs(JobFilter filter, int offset, int limit) {
    List<TuningJob> matching =
        order.jobs().stream()
            .map(id -> (TuningJob) objects.get(TuningJob.key(id)))
            .filter(filter)
            .toList();
    return Page.slice(matching, offset, limit);
  }

  /**
   * The receipt batches {@code filter} matches, oldest first, {@code limit} from {@code offset} on:
   * scanned in creation order, as {@link #jobs} are, since a batch's status changes by itself when
   * its window closes.
   */
  public Page<InferenceBatch> batches(BatchFilter filter, int offset, int limit) {
    List<InferenceBatch> matching =
        order.batches().stream()
            .map(id -> (InferenceBatch) objects.get(InferenceBatch.key(id)))
            .filter(filter)
            .toList();
    return Page.slice(matching, offset, limit);
  }

  /** How many contributions {@code datanet} holds, whatever their status. */
  public int contributionCount(Hash datanet) {
    return order.contributionCount(datanet);
  }

  /** Every account's cumulative reward (a live view). */
  public Map<Address, BigInteger> rewards() {
    return java.util.Collections.unmodifiableMap(rewards);
  }
}
