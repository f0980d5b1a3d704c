package io.ascribe.contracts.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.merkle.MerkleTree;
import io.ascribe.core.settlement.Eip712Domain;
import io.ascribe.core.settlement.SettlementMessages;
import io.ascribe.core.settlement.ValidatorSet;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.StructuredDataEncoder;

class SettlementMessagesTest {
  static PrivateKey key(String label) {
    return PrivateKey.fromBytes(Keccak.hash(label.getBytes(StandardCharsets.UTF_8)).toArray());
  }

  @Test
  void domainSeparatorOfTheEip712SpecExample() {
    Eip712Domain mail =
        new Eip712Domain(
            "Ether Mail", "1", 1, Address.fromHex("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"));
    assertThat(mail.separator())
        .isEqualTo(
            Hash.fromHex("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f"));
  }

  @Test
  void epochRootDigestEqualsWeb3jsEip712Encoder() throws IOException {
    Address distributor = Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    Hash root = Keccak.hash("root".getBytes(StandardCharsets.UTF_8));
    Hash setHash = Keccak.hash("set".getBytes(StandardCharsets.UTF_8));
    String json =
        """
        {"types": {
           "EIP712Domain": [{"name":"name","type":"string"},{"name":"version","type":"string"},
             {"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
           "EpochRoot": [{"name":"epoch","type":"uint64"},{"name":"rewardsRoot","type":"bytes32"},
             {"name":"validatorSetHash","type":"bytes32"}]},
         "primaryType": "EpochRoot",
         "domain": {"name":"Ascribe RewardDistributor","version":"1","chainId":31337,
           "verifyingContract":"%s"},
         "message": {"epoch": 42, "rewardsRoot":"%s","validatorSetHash":"%s"}}
        """
            .formatted(distributor, root.toHex(), setHash.toHex());
    byte[] expected = new StructuredDataEncoder(json).hashStructuredData();
    Hash digest =
        SettlementMessages.epochRootDigest(
            Eip712Domain.rewardDistributor(31337, distributor), 42, root, setHash);
    assertThat(digest).isEqualTo(Hash.wrap(expected));
  }

  @Test
  void validatorSetUpdateDigestEqualsWeb3jsEip712Encoder() throws IOException {
    Address distributor = Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    ValidatorSet next =
        ValidatorSet.of(
            Map.of(key("a").address(), BigInteger.ONE, key("b").address(), BigInteger.TWO));
    String json =
        """
        {"types": {
           "EIP712Domain": [{"name":"name","type":"string"},{"name":"version","type":"string"},
             {"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
           "ValidatorSetUpdate": [{"name":"nonce","type":"uint64"},
             {"name":"newValidatorSetHash","type":"bytes32"}]},
         "primaryType": "ValidatorSetUpdate",
         "domain": {"name":"Ascribe RewardDistributor","version":"1","chainId":1,
           "verifyingContract":"%s"},
         "message": {"nonce": 3, "newValidatorSetHash":"%s"}}
        """
            .formatted(distributor, next.hash().toHex());
    assertThat(
            SettlementMessages.validatorSetUpdateDigest(
                Eip712Domain.rewardDistributor(1, distributor), 3, next))
        .isEqualTo(Hash.wrap(new StructuredDataEncoder(json).hashStructuredData()));
  }

  @Test
  void signaturesAreLowSWithVOf27Or28AndSortedBySigner() {
    Hash digest = Keccak.hash("digest".getBytes(StandardCharsets.UTF_8));
    List<PrivateKey> keys = List.of(key("x"), key("y"), key("z"), key("w"));
    List<byte[]> signatures = ValidatorSignatures.signAll(keys, digest);
    Address previous = null;
    for (byte[] sig : signatures) {
      assertThat(sig).hasSize(65);
      assertThat(sig[64]).isIn((byte) 27, (byte) 28);
      byte[] core = sig.clone();
      core[64] -= 27;
      Address signer = Secp256k1.recoverAddress(digest, Signature.fromBytes(core));
      assertThat(keys.stream().map(PrivateKey::address)).contains(signer);
      if (previous != null) {
        assertThat(signer).isGreaterThan(previous);
      }
      previous = signer;
      assertThat(new BigInteger(1, Arrays.copyOfRange(sig, 32, 64)))
          .isLessThanOrEqualTo(Secp256k1.HALF_N);
    }
  }

  @Test
  void validatorSetsAreSortedDistinctAndPowered() {
    Address a = key("a").address();
    Address b = key("b").address();
    ValidatorSet set = ValidatorSet.of(Map.of(a, BigInteger.ONE, b, BigInteger.TWO));
    assertThat(set.validators()).isSorted();
    assertThat(set.totalPower()).isEqualTo(3);
    assertThat(set.isQuorum(BigInteger.TWO)).isFalse();
    assertThat(set.isQuorum(BigInteger.valueOf(3))).isTrue();
    assertThatThrownBy(() -> ValidatorSet.of(Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ValidatorSet.of(Map.of(a, BigInteger.ZERO)))
        .isInstanceOf(IllegalArgumentException.class);
    List<Address> unsorted = set.validators().reversed();
    assertThatThrownBy(() -> new ValidatorSet(unsorted, set.powers()))
        .isInstanceOf(IllegalArgumentException.class);
    // keccak256(abi.encodePacked(address[], uint256[])): addresses then powers, 32 bytes each.
    byte[] packed = new byte[128];
    System.arraycopy(set.validators().get(0).toArray(), 0, packed, 12, 20);
    System.arraycopy(set.validators().get(1).toArray(), 0, packed, 44, 20);
    packed[95] = set.powers().get(0).byteValueExact();
    packed[127] = set.powers().get(1).byteValueExact();
    assertThat(set.hash()).isEqualTo(Keccak.hash(packed));
  }

  @Test
  void rewardsTreeProofsVerifyForEveryAccount() {
    Map<Address, BigInteger> amounts = new LinkedHashMap<>();
    for (int i = 0; i < 7; i++) {
      amounts.put(key("w" + i).address(), BigInteger.valueOf(1000L * i + 1));
    }
    RewardsTree tree = RewardsTree.of(amounts);
    amounts.forEach(
        (account, amount) -> {
          assertThat(
                  MerkleTree.verify(
                      tree.proof(account), tree.root(), RewardsTree.leaf(account, amount)))
              .isTrue();
          assertThat(
                  MerkleTree.verify(
                      tree.proof(account),
                      tree.root(),
                      RewardsTree.leaf(account, amount.add(BigInteger.ONE))))
              .isFalse();
        });
  }

  @Test
  void revertDataIsNamedFromTheAbis() {
    String selector =
        "0x"
            + Keccak.hash("InsufficientPower(uint256,uint256)".getBytes(StandardCharsets.US_ASCII))
                .toHex()
                .substring(2, 10);
    assertThat(RevertDecoder.errorName(selector + "00".repeat(64))).isEqualTo("InsufficientPower");
    assertThat(RevertDecoder.errorName("0xdeadbeef")).isNull();
    assertThat(RevertDecoder.errorName("0x")).isNull();
  }
}
