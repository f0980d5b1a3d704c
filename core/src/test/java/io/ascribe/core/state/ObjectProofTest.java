package io.ascribe.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Object proofs checked against a compacted sparse Merkle tree built here from its definition
 * ({@link StateTreeHashing}): a served object verifies, and any change to its bytes, key or path
 * does not.
 */
class ObjectProofTest {
  private final Map<Hash, ByteString> objects = new LinkedHashMap<>();
  private Hash root;

  @BeforeEach
  void buildTree() {
    Random random = new Random(11);
    for (int i = 0; i < 25; i++) {
      byte[] id = new byte[32];
      random.nextBytes(id);
      byte[] body = new byte[20 + random.nextInt(40)];
      random.nextBytes(body);
      objects.put(StateTreeHashing.objectKey("datanet", id), ByteString.copyFrom(body));
    }
    root = root(new ArrayList<>(objects.keySet()), 0);
  }

  @Test
  void everyObjectVerifiesAgainstTheRoot() {
    for (Hash key : objects.keySet()) {
      assertThat(proof(key).verify(root)).as("object under %s", key).isTrue();
    }
  }

  @Test
  void aTamperedObjectFails() {
    Hash key = objects.keySet().iterator().next();
    ObjectProof honest = proof(key);
    byte[] bytes = honest.object().toByteArray();
    bytes[bytes.length / 2] ^= 1;

    ObjectProof tampered = new ObjectProof(key, ByteString.copyFrom(bytes), honest.siblings());

    assertThat(tampered.verify(root)).isFalse();
  }

  @Test
  void anotherObjectsBytesUnderThisKeyFail() {
    List<Hash> keys = new ArrayList<>(objects.keySet());
    ObjectProof honest = proof(keys.get(0));

    ObjectProof swapped = new ObjectProof(keys.get(0), objects.get(keys.get(1)), honest.siblings());

    assertThat(swapped.verify(root)).isFalse();
  }

  @Test
  void aTamperedSiblingOrKeyFails() {
    List<Hash> keys = new ArrayList<>(objects.keySet());
    ObjectProof honest = proof(keys.get(2));
    List<Hash> siblings = new ArrayList<>(honest.siblings());
    siblings.set(0, Keccak.hash(siblings.get(0).toArray()));

    assertThat(new ObjectProof(honest.key(), honest.object(), siblings).verify(root)).isFalse();
    assertThat(new ObjectProof(keys.get(3), honest.object(), honest.siblings()).verify(root))
        .isFalse();
    assertThat(honest.verify(Keccak.hash(root.toArray()))).isFalse();
  }

  @Test
  void theJsonFormReadsBackToTheSameProof() {
    Hash key = objects.keySet().iterator().next();
    AnchoredObjectProof anchored = new AnchoredObjectProof(42, root, proof(key));

    AnchoredObjectProof read = ObjectProofJson.fromJson(ObjectProofJson.toJson(anchored));

    assertThat(read).isEqualTo(anchored);
    assertThat(read.proof().verify(read.stateRoot())).isTrue();
  }

  private ObjectProof proof(Hash key) {
    return new ObjectProof(
        key, objects.get(key), siblings(new ArrayList<>(objects.keySet()), key, 0));
  }

  private Hash leaf(Hash key) {
    return StateTreeHashing.leaf(key, Keccak.hash(objects.get(key).toByteArray()));
  }

  /** The compacted tree's root over {@code keys}, all of which share their first bits. */
  private Hash root(List<Hash> keys, int depth) {
    if (keys.isEmpty()) {
      return Hash.ZERO;
    }
    if (keys.size() == 1) {
      return leaf(keys.get(0));
    }
    return StateTreeHashing.branch(
        root(side(keys, depth, false), depth + 1), root(side(keys, depth, true), depth + 1));
  }

  private List<Hash> siblings(List<Hash> keys, Hash key, int depth) {
    if (keys.size() <= 1) {
      return List.of();
    }
    List<Hash> path = new ArrayList<>();
    path.add(root(side(keys, depth, !key.bit(depth)), depth + 1));
    path.addAll(siblings(side(keys, depth, key.bit(depth)), key, depth + 1));
    return path;
  }

  private static List<Hash> side(List<Hash> keys, int depth, boolean bit) {
    return keys.stream().filter(k -> k.bit(depth) == bit).toList();
  }
}
