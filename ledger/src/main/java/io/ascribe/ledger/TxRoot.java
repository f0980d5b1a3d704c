package io.ascribe.ledger;

import io.ascribe.core.merkle.AbiEncoding;
import io.ascribe.core.merkle.MerkleTree;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The header's transaction root: an OpenZeppelin-style Merkle root over leaves
 * keccak256(keccak256(abi.encode(uint256 index, bytes32 txHash))), so it commits to the order of
 * the transactions as well as to the set, and an EVM contract can check that a transaction is in a
 * block with {@code MerkleProof.verify}.
 */
final class TxRoot {
  private TxRoot() {}

  static Hash of(List<Hash> txHashes) {
    List<Hash> leaves = new ArrayList<>(txHashes.size());
    for (int i = 0; i < txHashes.size(); i++) {
      leaves.add(
          MerkleTree.standardLeaf(
              AbiEncoding.encode(
                  AbiEncoding.uint256(BigInteger.valueOf(i)), txHashes.get(i).toArray())));
    }
    return MerkleTree.of(leaves).root();
  }
}
