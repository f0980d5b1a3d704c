package io.ascribe.consensus;

import io.ascribe.core.types.Hash;
import java.util.Optional;

/**
 * Where a {@link SigningGuard} keeps its last signed step. {@link #save} must not return before the
 * record survives a crash: the signature it permits leaves the node right after.
 */
public interface GuardStore {

  /** The last signed (height, round, step) and the digest signed there. */
  record LastSigned(long height, int round, Step step, Hash digest) {

    /** Orders (height, round, step) lexicographically. */
    public int compareStep(long height, int round, Step step) {
      int c = Long.compare(this.height, height);
      if (c == 0) {
        c = Integer.compare(this.round, round);
      }
      if (c == 0) {
        c = this.step.compareTo(step);
      }
      return c;
    }
  }

  Optional<LastSigned> load();

  void save(LastSigned lastSigned);
}
