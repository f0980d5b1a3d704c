package io.ascribe.ledger;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.util.ArrayList;
import java.util.List;

/** The header's transaction root: a sorted-pair Merkle root over the block's transaction hashes. */
final class TxRoot {
  private TxRoot() {}

  static Hash of(List<Hash> txHashes) {
    if (txHashes.isEmpty()) {
      return Hash.ZERO;
    }
    List<Hash> level = txHashes;
    while (level.size() > 1) {
      List<Hash> next = new ArrayList<>((level.size() + 1) / 2);
      for (int i = 0; i < level.size(); i += 2) {
        if (i + 1 == level.size()) {
          next.add(level.get(i));
        } else {
          Hash a = level.get(i);
          Hash b = level.get(i + 1);
          next.add(
              a.compareTo(b) <= 0
                  ? Keccak.hash(a.toArray(), b.toArray())
                  : Keccak.hash(b.toArray(), a.toArray()));
        }
      }
      level = next;
    }
    return level.get(0);
  }
}
