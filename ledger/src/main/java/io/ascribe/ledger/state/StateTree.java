package io.ascribe.ledger.state;

import io.ascribe.core.state.AccountProof;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Hash;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The immutable compacted sparse Merkle tree behind the state root (node hashes defined in {@link
 * StateTreeHashing}). {@link #with} returns a new tree that shares every untouched node with this
 * one, so a proposed block gets its root without disturbing the committed tree, and a reader holds
 * a consistent snapshot for as long as it likes. A batch of updates rehashes each touched node
 * once. Keys are never removed: accounts live forever.
 *
 * <p>Written by hand because the field's tries (Ethereum's Patricia trie in Besu) bring a storage
 * layer and RLP with them; this tree is rebuilt from the account store at start-up and checked
 * against the last header's state root, which also catches a corrupted store.
 */
public final class StateTree {
  private static final StateTree EMPTY = new StateTree(null, 0);

  private sealed interface Node permits Leaf, Branch {
    Hash hash();
  }

  private record Leaf(Hash key, Hash valueHash, Hash hash) implements Node {
    Leaf(Hash key, Hash valueHash) {
      this(key, valueHash, StateTreeHashing.leaf(key, valueHash));
    }
  }

  private record Branch(Node left, Node right, Hash hash) implements Node {
    Branch(Node left, Node right) {
      this(left, right, StateTreeHashing.branch(hashOf(left), hashOf(right)));
    }
  }

  private final Node root;
  private final int size;

  private StateTree(Node root, int size) {
    this.root = root;
    this.size = size;
  }

  public static StateTree empty() {
    return EMPTY;
  }

  /** A tree with {@code updates} (key → value hash) set on top of this one. */
  public StateTree with(Map<Hash, Hash> updates) {
    if (updates.isEmpty()) {
      return this;
    }
    List<Leaf> leaves = new ArrayList<>(updates.size());
    new TreeMap<>(updates).forEach((key, value) -> leaves.add(new Leaf(key, value)));
    int[] added = {0};
    Node newRoot = update(root, 0, leaves, added);
    return new StateTree(newRoot, size + added[0]);
  }

  /** Rebuilds the subtree at {@code depth} with {@code leaves} (sorted by key) set in it. */
  private static Node update(Node node, int depth, List<Leaf> leaves, int[] added) {
    if (leaves.isEmpty()) {
      return node;
    }
    if (node == null) {
      added[0] += leaves.size();
      return build(depth, leaves);
    }
    if (node instanceof Leaf existing) {
      boolean replaced = leaves.stream().anyMatch(l -> l.key().equals(existing.key()));
      List<Leaf> all = leaves;
      if (!replaced) {
        all = new ArrayList<>(leaves);
        all.add(existing);
        all.sort((a, b) -> a.key().compareTo(b.key()));
      }
      added[0] += all.size() - 1;
      return build(depth, all);
    }
    Branch branch = (Branch) node;
    int split = firstWithBitSet(leaves, depth);
    Node left = update(branch.left(), depth + 1, leaves.subList(0, split), added);
    Node right = update(branch.right(), depth + 1, leaves.subList(split, leaves.size()), added);
    return new Branch(left, right);
  }

  /** The canonical subtree holding exactly {@code leaves}: the shape depends on the keys alone. */
  private static Node build(int depth, List<Leaf> leaves) {
    if (leaves.isEmpty()) {
      return null;
    }
    if (leaves.size() == 1) {
      return leaves.get(0);
    }
    int split = firstWithBitSet(leaves, depth);
    return new Branch(
        build(depth + 1, leaves.subList(0, split)),
        build(depth + 1, leaves.subList(split, leaves.size())));
  }

  /** Leaves are sorted by key, so those with bit {@code depth} clear come first. */
  private static int firstWithBitSet(List<Leaf> leaves, int depth) {
    int i = 0;
    while (i < leaves.size() && !leaves.get(i).key().bit(depth)) {
      i++;
    }
    return i;
  }

  private static Hash hashOf(Node node) {
    return node == null ? Hash.ZERO : node.hash();
  }

  public int size() {
    return size;
  }

  /** The root hash; {@link Hash#ZERO} for an empty tree. */
  public Hash root() {
    return hashOf(root);
  }

  /** The path to {@code key}: sibling hashes from the root, and the leaf at its end if any. */
  public Path path(Hash key) {
    List<Hash> siblings = new ArrayList<>();
    Node node = root;
    int depth = 0;
    while (node instanceof Branch branch) {
      boolean right = key.bit(depth);
      siblings.add(hashOf(right ? branch.left() : branch.right()));
      node = right ? branch.right() : branch.left();
      depth++;
    }
    Optional<AccountProof.Neighbour> end =
        node instanceof Leaf leaf
            ? Optional.of(new AccountProof.Neighbour(leaf.key(), leaf.valueHash()))
            : Optional.empty();
    return new Path(siblings, end);
  }

  /** Siblings from the root down, and the leaf at the end of the path if there is one. */
  public record Path(List<Hash> siblings, Optional<AccountProof.Neighbour> leaf) {}
}
