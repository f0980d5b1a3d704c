package io.ascribe.contracts.settlement;

import io.ascribe.core.merkle.AbiEncoding;
import io.ascribe.core.merkle.MerkleTree;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Merkle tree of one epoch's cumulative amounts per account, with OpenZeppelin
 * StandardMerkleTree leaves keccak256(keccak256(abi.encode(account, cumulativeAmount))): the
 * rewards RewardDistributor.claim pays, or the withdrawals OpenBridge.withdraw pays.
 */
public final class RewardsTree {
  private final Map<Address, BigInteger> cumulative;
  private final MerkleTree tree;

  private RewardsTree(Map<Address, BigInteger> cumulative) {
    this.cumulative = cumulative;
    this.tree =
        MerkleTree.of(
            cumulative.entrySet().stream().map(e -> leaf(e.getKey(), e.getValue())).toList());
  }

  /** The tree of these cumulative amounts (each account's total rewards up to the epoch). */
  public static RewardsTree of(Map<Address, BigInteger> cumulative) {
    if (cumulative.isEmpty()) {
      throw new IllegalArgumentException("a rewards tree needs at least one account");
    }
    return new RewardsTree(new TreeMap<>(cumulative));
  }

  public static Hash leaf(Address account, BigInteger cumulativeAmount) {
    return MerkleTree.standardLeaf(
        AbiEncoding.encode(AbiEncoding.address(account), AbiEncoding.uint256(cumulativeAmount)));
  }

  public Hash root() {
    return tree.root();
  }

  public BigInteger amount(Address account) {
    BigInteger amount = cumulative.get(account);
    if (amount == null) {
      throw new IllegalArgumentException("no rewards for " + account + " in this tree");
    }
    return amount;
  }

  public List<Hash> proof(Address account) {
    return tree.proof(leaf(account, amount(account)));
  }

  public Map<Address, BigInteger> amounts() {
    return java.util.Collections.unmodifiableMap(cumulative);
  }
}
