package io.ascribe.ledger.exec;

import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.ai.NearDuplicate;
import io.ascribe.ledger.ai.RewardAccount;
import io.ascribe.ledger.state.SystemState;
import java.math.BigInteger;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A block's changes on top of the committed state. Execution writes only here, so a block that
 * turns out invalid is dropped without touching the committed state. Lookups see this block's own
 * writes first, so two contributions in one block are checked against each other too.
 */
public final class StateOverlay implements LedgerReader {
  private final LedgerReader base;
  private final Map<Address, AccountState> changed = new LinkedHashMap<>();
  private final Map<Hash, LedgerObject> changedObjects = new LinkedHashMap<>();
  private SystemState system;

  public StateOverlay(LedgerReader base) {
    this.base = base;
    this.system = base.system();
  }

  @Override
  public AccountState account(Address address) {
    AccountState state = changed.get(address);
    return state != null ? state : base.account(address);
  }

  public void put(Address address, AccountState state) {
    changed.put(address, state);
  }

  @Override
  public SystemState system() {
    return system;
  }

  public void setSystem(SystemState system) {
    this.system = system;
  }

  @Override
  public Optional<LedgerObject> object(Hash key) {
    LedgerObject object = changedObjects.get(key);
    return object != null ? Optional.of(object) : base.object(key);
  }

  public void put(LedgerObject object) {
    changedObjects.put(object.key(), object);
  }

  @Override
  public Optional<Hash> contributionWithContent(Hash datanet, Hash contentHash) {
    Optional<Hash> committed = base.contributionWithContent(datanet, contentHash);
    if (committed.isPresent()) {
      return committed;
    }
    return newContributions(datanet)
        .filter(c -> c.contentHash().equals(contentHash))
        .map(Contribution::id)
        .findFirst();
  }

  @Override
  public Optional<NearDuplicate> nearDuplicate(Hash datanet, MinHash signature, int thresholdBps) {
    Optional<NearDuplicate> best = base.nearDuplicate(datanet, signature, thresholdBps);
    for (Contribution c : newContributions(datanet).toList()) {
      best = NearDuplicate.closer(best, NearDuplicate.match(c, signature, thresholdBps));
    }
    return best;
  }

  /** Contributions this block created (a committed one's status change is not new). */
  private java.util.stream.Stream<Contribution> newContributions(Hash datanet) {
    return changedObjects.values().stream()
        .filter(o -> o instanceof Contribution c && c.datanet().equals(datanet))
        .map(Contribution.class::cast)
        .filter(c -> base.object(c.key()).isEmpty());
  }

  @Override
  public Map<Address, BigInteger> rewards() {
    Map<Address, BigInteger> all = new HashMap<>(base.rewards());
    for (LedgerObject object : changedObjects.values()) {
      if (object instanceof RewardAccount r) {
        all.put(r.account(), r.cumulative());
      }
    }
    return all;
  }

  /**
   * Writes this overlay's changes into {@code target}, the overlay it was opened on: how one
   * transaction's action is kept once it has succeeded (a failed action's overlay is dropped).
   */
  public void mergeInto(StateOverlay target) {
    if (target != base) {
      throw new IllegalArgumentException(
          "an overlay merges only into the overlay it was opened on");
    }
    changed.forEach(target::put);
    changedObjects.values().forEach(target::put);
    target.setSystem(system);
  }

  /** Accounts written by this block, in first-write order. */
  public Map<Address, AccountState> changedAccounts() {
    return Collections.unmodifiableMap(changed);
  }

  /** Objects written by this block, by state key, in first-write order. */
  public Map<Hash, LedgerObject> changedObjects() {
    return Collections.unmodifiableMap(changedObjects);
  }
}
