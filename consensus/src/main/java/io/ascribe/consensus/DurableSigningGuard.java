package io.ascribe.consensus;

import io.ascribe.core.types.Hash;
import java.util.Optional;

/**
 * The {@link SigningGuard} over a {@link GuardStore}: it reads the last signed step once when
 * created, and saves every new permission to the store before granting it.
 */
public final class DurableSigningGuard implements SigningGuard {
  private final GuardStore store;
  private Optional<GuardStore.LastSigned> last;

  public DurableSigningGuard(GuardStore store) {
    this.store = store;
    this.last = store.load();
  }

  @Override
  public synchronized boolean permit(long height, int round, Step step, Hash digest) {
    if (last.isPresent()) {
      int c = last.get().compareStep(height, round, step);
      if (c > 0) {
        return false;
      }
      if (c == 0) {
        // The same message again (a restart replaying its log) is safe; anything else is a
        // second, different signature for one step.
        return last.get().digest().equals(digest);
      }
    }
    GuardStore.LastSigned next = new GuardStore.LastSigned(height, round, step, digest);
    store.save(next);
    last = Optional.of(next);
    return true;
  }

  /** The last permitted step, for status and tests. */
  public synchronized Optional<GuardStore.LastSigned> lastSigned() {
    return last;
  }
}
