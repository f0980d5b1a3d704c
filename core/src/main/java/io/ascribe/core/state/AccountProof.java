package io.ascribe.core.state;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.List;
import java.util.Optional;

/**
 * A proof that an account has a given state, or no state at all, under a state root. {@code
 * siblings} are the sibling hashes from the root down to the account's position. For an absent
 * account the position holds either nothing or {@code neighbour}, a leaf of another key sharing the
 * path. {@link #verify} needs nothing but this record and the root, so a light client or another
 * chain can check a balance without trusting the node that served it.
 */
public record AccountProof(
    Address address,
    Optional<AccountState> account,
    List<Hash> siblings,
    Optional<Neighbour> neighbour) {

  /** The leaf found where the absent account would be. */
  public record Neighbour(Hash key, Hash valueHash) {}

  public AccountProof {
    siblings = List.copyOf(siblings);
    if (account.isPresent() && neighbour.isPresent()) {
      throw new IllegalArgumentException("a proof of presence has no neighbour leaf");
    }
    if (siblings.size() > 256) {
      throw new IllegalArgumentException("a state proof has at most 256 siblings");
    }
  }

  /** True when this proof shows {@code account} (or its absence) under {@code stateRoot}. */
  public boolean verify(Hash stateRoot) {
    Hash key = StateTreeHashing.accountKey(address);
    int depth = siblings.size();
    Hash node;
    if (account.isPresent()) {
      node = StateTreeHashing.leaf(key, account.get().valueHash());
    } else if (neighbour.isPresent()) {
      Neighbour other = neighbour.get();
      if (other.key().equals(key) || !sharesPrefix(key, other.key(), depth)) {
        return false;
      }
      node = StateTreeHashing.leaf(other.key(), other.valueHash());
    } else {
      node = Hash.ZERO;
    }
    return StateTreeHashing.rootAbove(key, node, siblings).equals(stateRoot);
  }

  /** The balance the proof shows, zero for an absent account. */
  public AccountState stateOrEmpty() {
    return account.orElse(AccountState.EMPTY);
  }

  private static boolean sharesPrefix(Hash a, Hash b, int bits) {
    for (int i = 0; i < bits; i++) {
      if (a.bit(i) != b.bit(i)) {
        return false;
      }
    }
    return true;
  }
}
