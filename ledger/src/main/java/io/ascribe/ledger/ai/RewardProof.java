package io.ascribe.ledger.ai;

import io.ascribe.core.merkle.MerkleTree;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.List;

/**
 * What {@code RewardDistributor.claim(account, cumulativeAmount, proof)} takes for one epoch: the
 * account's cumulative amount, the sibling hashes up to the epoch's root, and that root.
 */
public record RewardProof(
    Address account, BigInteger cumulative, long epoch, Hash root, List<Hash> siblings) {

  public RewardProof {
    siblings = List.copyOf(siblings);
  }

  /** Whether the proof leads to {@link #root}, as {@code MerkleProof.verify} checks it. */
  public boolean verify() {
    return MerkleTree.verify(siblings, root, EpochRewards.leaf(account, cumulative));
  }
}
