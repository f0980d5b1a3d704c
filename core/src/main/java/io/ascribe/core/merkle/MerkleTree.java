package io.ascribe.core.merkle;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A binary Merkle tree whose proofs verify on the EVM with OpenZeppelin's {@code
 * MerkleProof.verify}: an inner node is keccak256 of its two children in ascending byte order, so a
 * proof is just the list of siblings, with no left/right flags. The layout is that of
 * OpenZeppelin's JavaScript {@code StandardMerkleTree} and {@code SimpleMerkleTree}: leaves sorted
 * ascending, the tree stored as a complete binary tree in an array (node i has children 2i+1 and
 * 2i+2) with the leaves at its end in reverse order. For the same leaf hashes the roots and proofs
 * are equal to the JavaScript library's, so a distribution built here can be claimed with proofs
 * from either. An empty tree has root {@link Hash#ZERO}, which no proof verifies against (the
 * JavaScript library refuses to build one).
 */
public final class MerkleTree {
  /** Complete binary tree: nodes[0] is the root, the last {@code leafCount} entries the leaves. */
  private final Hash[] nodes;

  private final int leafCount;

  private MerkleTree(Hash[] nodes, int leafCount) {
    this.nodes = nodes;
    this.leafCount = leafCount;
  }

  /** Builds the tree over {@code leaves} (in any order; duplicates are kept). */
  public static MerkleTree of(List<Hash> leaves) {
    Hash[] sorted = leaves.toArray(Hash[]::new);
    Arrays.sort(sorted);
    int n = sorted.length;
    if (n == 0) {
      return new MerkleTree(new Hash[0], 0);
    }
    Hash[] nodes = new Hash[2 * n - 1];
    for (int i = 0; i < n; i++) {
      nodes[nodes.length - 1 - i] = sorted[i];
    }
    for (int i = nodes.length - 1 - n; i >= 0; i--) {
      nodes[i] = hashPair(nodes[2 * i + 1], nodes[2 * i + 2]);
    }
    return new MerkleTree(nodes, n);
  }

  /**
   * The leaf hash of OpenZeppelin's {@code StandardMerkleTree}: keccak256(keccak256(abi.encode(
   * values))). Hashing twice keeps a 64-byte leaf from being passed off as an inner node.
   */
  public static Hash standardLeaf(byte[] abiEncodedValues) {
    return Keccak.hash(Keccak.hash(abiEncodedValues).toArray());
  }

  /** The root, or {@link Hash#ZERO} for an empty tree. */
  public Hash root() {
    return nodes.length == 0 ? Hash.ZERO : nodes[0];
  }

  /** The number of leaves. */
  public int size() {
    return leafCount;
  }

  /**
   * The siblings from {@code leaf} up to the root, as {@code MerkleProof.verify} takes them.
   *
   * @throws IllegalArgumentException when {@code leaf} is not in the tree
   */
  public List<Hash> proof(Hash leaf) {
    int index = indexOf(leaf);
    List<Hash> proof = new ArrayList<>();
    while (index > 0) {
      // Odd indices are left children, whose sibling follows them.
      proof.add(nodes[index % 2 == 1 ? index + 1 : index - 1]);
      index = (index - 1) / 2;
    }
    return List.copyOf(proof);
  }

  /**
   * Whether {@code proof} leads from {@code leaf} to {@code root}; as {@code MerkleProof.verify}.
   */
  public static boolean verify(List<Hash> proof, Hash root, Hash leaf) {
    Hash computed = leaf;
    for (Hash sibling : proof) {
      computed = hashPair(computed, sibling);
    }
    return computed.equals(root);
  }

  private int indexOf(Hash leaf) {
    for (int i = nodes.length - 1; i >= nodes.length - leafCount; i--) {
      if (nodes[i].equals(leaf)) {
        return i;
      }
    }
    throw new IllegalArgumentException("leaf " + leaf + " is not in the tree");
  }

  /** Commutative: sorting the pair is what lets proofs omit which side each sibling is on. */
  private static Hash hashPair(Hash a, Hash b) {
    return a.compareTo(b) <= 0
        ? Keccak.hash(a.toArray(), b.toArray())
        : Keccak.hash(b.toArray(), a.toArray());
  }
}
