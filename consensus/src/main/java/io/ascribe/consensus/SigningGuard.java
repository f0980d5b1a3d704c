package io.ascribe.consensus;

import io.ascribe.core.types.Hash;

/**
 * The last line against double signing: remembers, durably, the last (height, round, step) this
 * validator signed and the digest it signed there, and permits a new signature only for a later
 * step, or for the very same digest at that step (re-sending the same vote after a restart is
 * harmless).
 */
public interface SigningGuard {

  /**
   * Returns true, after the permission is durable, when {@code digest} may be signed for (height,
   * round, step); false when that would be at or below the last signed step with a different
   * digest, or below it.
   */
  boolean permit(long height, int round, Step step, Hash digest);
}
