package io.ascribe.core.state;

import com.google.protobuf.ByteString;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.util.List;

/**
 * A proof that an AI-ledger object (datanet, contribution, model, ...) is in the state under a
 * state root: the object's encoded {@code LedgerObject} bytes, its state-tree key ({@link
 * StateTreeHashing#objectKey}) and the sibling hashes from the root down to it. The leaf commits to
 * keccak256 of the bytes, so a proof that verifies vouches for every field the bytes decode to; the
 * reader must still check that the key is the one of the object it asked for.
 */
public record ObjectProof(Hash key, ByteString object, List<Hash> siblings) {

  public ObjectProof {
    siblings = List.copyOf(siblings);
    if (siblings.size() > 256) {
      throw new IllegalArgumentException("a state proof has at most 256 siblings");
    }
  }

  /**
   * True when this proof shows exactly these object bytes under {@code key} in {@code stateRoot}.
   */
  public boolean verify(Hash stateRoot) {
    Hash leaf = StateTreeHashing.leaf(key, Keccak.hash(object.toByteArray()));
    return StateTreeHashing.rootAbove(key, leaf, siblings).equals(stateRoot);
  }
}
