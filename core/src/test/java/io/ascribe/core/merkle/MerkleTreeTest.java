package io.ascribe.core.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
  /*
   * Known answers from @openzeppelin/merkle-tree 1.0.8 (npm), produced once by a Node script
   * outside this repository:
   *
   *   StandardMerkleTree.of(values.slice(0, n), ['address', 'uint256'])  -> root, leafHash,
   *   getProof for n = 1, 2, 3, 5 over the (address, uint256) values below; and
   *   SimpleMerkleTree.of(leaves) over the 7 leaves keccak256(0x00) .. keccak256(0x06).
   */
  private static final List<Leaf> VALUES =
      List.of(
          new Leaf("0x1111111111111111111111111111111111111111", "5000000000000000000"),
          new Leaf("0x2222222222222222222222222222222222222222", "2500000000000000000"),
          new Leaf("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "1"),
          new Leaf(
              "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
              "115792089237316195423570985008687907853269984665640564039457584007913129639935"),
          new Leaf("0x0000000000000000000000000000000000000000", "0"));

  private record Leaf(String address, String amount) {
    Hash hash() {
      return MerkleTree.standardLeaf(
          AbiEncoding.encode(
              AbiEncoding.address(Address.fromHex(address)),
              AbiEncoding.uint256(new BigInteger(amount))));
    }
  }

  private static MerkleTree standardTree(int n) {
    return MerkleTree.of(VALUES.subList(0, n).stream().map(Leaf::hash).toList());
  }

  private static List<Hash> hashes(String... hex) {
    return Arrays.stream(hex).map(Hash::fromHex).toList();
  }

  @Test
  void leafHashesMatchStandardMerkleTree() {
    assertThat(VALUES.stream().map(l -> l.hash().toHex()))
        .containsExactly(
            "0xeb02c421cfa48976e66dfb29120745909ea3a0f843456c263cf8f1253483e283",
            "0xb92c48e9d7abe27fd8dfd6b5dfdbfb1c9a463f80c712b66f3a5180a090cccafc",
            "0x8b2a4240244fa16f1700a049d06193952b863cf8f9f7995b98c5087db703ca9f",
            "0xdf9cdab6577dba1033df6725ea4c9d77f761b527df57e74c87cf23c32c3a02d5",
            "0xf0df3dcda05b4fbd9c655cde3d5ceb211e019e72ec816e127a59e7195f2cd7f5");
  }

  @Test
  void rootsMatchStandardMerkleTree() {
    assertThat(standardTree(1).root().toHex())
        .isEqualTo("0xeb02c421cfa48976e66dfb29120745909ea3a0f843456c263cf8f1253483e283");
    assertThat(standardTree(2).root().toHex())
        .isEqualTo("0xd4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77");
    assertThat(standardTree(3).root().toHex())
        .isEqualTo("0x95525ba8276bad654a88706bf4242e9b2d1427a01e20e01cb05ad744142d8638");
    assertThat(standardTree(5).root().toHex())
        .isEqualTo("0x19f78805b75c055e1b5db751049cbdfa3c9773cb90b95b5e5807a372a21ca4dd");
  }

  @Test
  void proofsMatchStandardMerkleTree() {
    MerkleTree tree = standardTree(5);
    assertThat(tree.proof(VALUES.get(0).hash()))
        .isEqualTo(
            hashes(
                "0xdf9cdab6577dba1033df6725ea4c9d77f761b527df57e74c87cf23c32c3a02d5",
                "0x1d70ffd0df27d4bc61271b6d71aeb9044b055cf213107119f69bd8aa2b62cef2"));
    assertThat(tree.proof(VALUES.get(1).hash()))
        .isEqualTo(
            hashes(
                "0x8b2a4240244fa16f1700a049d06193952b863cf8f9f7995b98c5087db703ca9f",
                "0xf0df3dcda05b4fbd9c655cde3d5ceb211e019e72ec816e127a59e7195f2cd7f5",
                "0xbd2f33eb7a9dc1fa147366a05eb943165322ba0082b06796d3541e513c47d1e3"));
    assertThat(tree.proof(VALUES.get(4).hash()))
        .isEqualTo(
            hashes(
                "0xa4f3f744947862e0835ebe9c99cac6189952ddf66e868f6c4af471060aae7df3",
                "0xbd2f33eb7a9dc1fa147366a05eb943165322ba0082b06796d3541e513c47d1e3"));
    assertThat(standardTree(1).proof(VALUES.get(0).hash())).isEmpty();
  }

  @Test
  void rootAndProofsMatchSimpleMerkleTree() {
    List<Hash> leaves =
        IntStream.range(0, 7).mapToObj(i -> Keccak.hash(new byte[] {(byte) i})).toList();
    MerkleTree tree = MerkleTree.of(leaves);
    assertThat(tree.root().toHex())
        .isEqualTo("0x710426d6c25ffa16bd4a78dc6ea868f4b17858c4bc0741ca38181e98b14ddd86");
    assertThat(tree.proof(leaves.get(0)))
        .isEqualTo(
            hashes(
                "0xd0591206d9e81e07f4defc5327957173572bcd1bca7838caa7be39b0c12b1873",
                "0x82142e1c0ddd298cd66ef6caeaffb602a56f7379941f173a60d5d604cd34c9e3",
                "0x460705b2c816a244a5bbc3d1e82564c20ef556b8c7677c4c6160ec8cea0d3deb"));
    assertThat(tree.proof(leaves.get(4)))
        .isEqualTo(
            hashes(
                "0xa6245e634fd8b37fd223f8c238ee488a9fd3408cf3fbe70bbf64f337166de1c9",
                "0xf7710c1230ccc1b2374848eb088c944b26a3e2ff42a3da990a699bdca5e46cc5"));
  }

  @Test
  void rootDoesNotDependOnLeafOrder() {
    List<Hash> leaves = new ArrayList<>(randomLeaves(new Random(1), 13));
    Hash root = MerkleTree.of(leaves).root();
    Collections.shuffle(leaves, new Random(2));
    assertThat(MerkleTree.of(leaves).root()).isEqualTo(root);
  }

  @Test
  void everyProofVerifiesAndTamperingBreaksIt() {
    Random random = new Random(20240917);
    for (int n = 1; n <= 40; n++) {
      List<Hash> leaves = randomLeaves(random, n);
      MerkleTree tree = MerkleTree.of(leaves);
      assertThat(tree.size()).isEqualTo(n);
      for (Hash leaf : leaves) {
        List<Hash> proof = tree.proof(leaf);
        assertThat(MerkleTree.verify(proof, tree.root(), leaf)).isTrue();

        Hash otherLeaf = flipBit(leaf, random.nextInt(256));
        assertThat(MerkleTree.verify(proof, tree.root(), otherLeaf)).isFalse();
        if (!proof.isEmpty()) {
          List<Hash> tampered = new ArrayList<>(proof);
          int at = random.nextInt(proof.size());
          tampered.set(at, flipBit(proof.get(at), random.nextInt(256)));
          assertThat(MerkleTree.verify(tampered, tree.root(), leaf)).isFalse();
          assertThat(MerkleTree.verify(proof.subList(1, proof.size()), tree.root(), leaf))
              .isFalse();
        }
      }
    }
  }

  @Test
  void emptyTreeHasZeroRootAndNoProofs() {
    MerkleTree empty = MerkleTree.of(List.of());
    assertThat(empty.root()).isEqualTo(Hash.ZERO);
    assertThat(empty.size()).isZero();
    assertThatThrownBy(() -> empty.proof(Hash.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not in the tree");
  }

  @Test
  void proofOfAnAbsentLeafIsRefused() {
    MerkleTree tree = standardTree(3);
    assertThatThrownBy(() -> tree.proof(VALUES.get(4).hash()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not in the tree");
    // An inner node is not a leaf either, though it is in the array.
    assertThatThrownBy(() -> tree.proof(tree.root())).hasMessageContaining("not in the tree");
  }

  @Test
  void abiWordsArePaddedOnTheLeft() {
    byte[] address = AbiEncoding.address(Address.fromHex("0x" + "ab".repeat(20)));
    assertThat(address).hasSize(32).startsWith(new byte[12]);
    assertThat(address[12]).isEqualTo((byte) 0xab);
    byte[] one = AbiEncoding.uint256(BigInteger.ONE);
    assertThat(one).hasSize(32);
    assertThat(one[31]).isEqualTo((byte) 1);
    assertThat(AbiEncoding.uint256(BigInteger.TWO.pow(256).subtract(BigInteger.ONE)))
        .containsOnly((byte) 0xff);
    assertThatThrownBy(() -> AbiEncoding.uint256(BigInteger.TWO.pow(256)))
        .hasMessageContaining("uint256 out of range");
    assertThatThrownBy(() -> AbiEncoding.uint256(BigInteger.valueOf(-1)))
        .hasMessageContaining("uint256 out of range");
    assertThatThrownBy(() -> AbiEncoding.encode(new byte[31])).hasMessageContaining("32 bytes");
  }

  private static List<Hash> randomLeaves(Random random, int n) {
    List<Hash> leaves = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      leaves.add(Hash.wrap(bytes));
    }
    return leaves;
  }

  private static Hash flipBit(Hash hash, int bit) {
    byte[] bytes = hash.toArray();
    bytes[bit / 8] ^= (byte) (1 << (bit % 8));
    return Hash.wrap(bytes);
  }
}
