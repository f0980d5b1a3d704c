package io.ascribe.core.state;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The node hashes of Ascribe's state tree, a compacted binary sparse Merkle tree keyed by keccak256
 * of the account address. A leaf is keccak256(0x00 ‖ key ‖ valueHash), a branch keccak256(0x01 ‖
 * left ‖ right), an empty subtree {@link Hash#ZERO}; the distinct prefixes keep a leaf from ever
 * being passed off as a branch. A subtree holding a single leaf is that leaf, so a path is only as
 * deep as needed to tell its key from its neighbours'.
 */
public final class StateTreeHashing {
  private static final byte[] LEAF = {0};
  private static final byte[] BRANCH = {1};

  private StateTreeHashing() {}

  public static Hash accountKey(Address address) {
    return Keccak.hash(address.toArray());
  }

  /** Keys of protocol records (validator set, supply) that live in the tree beside accounts. */
  public static Hash systemKey(String name) {
    return Keccak.hash(("ascribe/system/" + name).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Keys of the AI ledger's objects, one key space per kind: keccak256("ascribe/" ‖ kind ‖ "/" ‖
   * id), so ids of different kinds can never collide with each other or with an account.
   */
  public static Hash objectKey(String kind, byte[] id) {
    return Keccak.hash(("ascribe/" + kind + "/").getBytes(StandardCharsets.US_ASCII), id);
  }

  public static Hash leaf(Hash key, Hash valueHash) {
    return Keccak.hash(LEAF, key.toArray(), valueHash.toArray());
  }

  public static Hash branch(Hash left, Hash right) {
    return Keccak.hash(BRANCH, left.toArray(), right.toArray());
  }

  /**
   * The root reached from {@code node} at depth {@code siblings.size()} on {@code key}'s path,
   * hashing it with each sibling from the deepest up: how every state proof is checked.
   */
  public static Hash rootAbove(Hash key, Hash node, List<Hash> siblings) {
    Hash current = node;
    for (int level = siblings.size() - 1; level >= 0; level--) {
      Hash sibling = siblings.get(level);
      current = key.bit(level) ? branch(sibling, current) : branch(current, sibling);
    }
    return current;
  }
}
