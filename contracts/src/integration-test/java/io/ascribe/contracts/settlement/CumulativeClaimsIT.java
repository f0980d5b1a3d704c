package io.ascribe.contracts.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.contracts.Anvil;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;

/**
 * The distributor's and the bridge's hand-written proof loop ({@code src/CumulativeClaims.sol})
 * returns what OpenZeppelin's {@code MerkleProof.processProofCalldata} returns, for the proofs of
 * real rewards trees and for arbitrary input, so it accepts exactly the claims OpenZeppelin would.
 * Both run on anvil in {@code test/CumulativeClaimsHarness.sol}, compiled at test time.
 */
class CumulativeClaimsIT {
  static Anvil anvil;
  static Address harness;

  @BeforeAll
  static void deployHarness() throws IOException, InterruptedException {
    String bytecode = ReferenceContracts.bytecode("CumulativeClaimsHarness");
    anvil = Anvil.start();
    harness = new SettlementClient(anvil.web3j(), Anvil.DEPLOYER).deployBytecode(bytecode);
  }

  @AfterAll
  static void stopAnvil() {
    if (anvil != null) {
      anvil.close();
    }
  }

  @Test
  void everyProofOfARewardsTreeLeadsToItsRootForTreesOfOneToSeventeenAccounts() {
    for (int size = 1; size <= 17; size++) {
      Map<Address, BigInteger> amounts = new LinkedHashMap<>();
      for (int i = 0; i < size; i++) {
        amounts.put(
            Validators.key("tree-" + size + "-" + i).address(), BigInteger.valueOf(1_000L * i));
      }
      RewardsTree tree = RewardsTree.of(amounts);
      for (Map.Entry<Address, BigInteger> e : amounts.entrySet()) {
        List<Hash> proof = tree.proof(e.getKey());
        assertThat(root("rootOf", e.getKey(), e.getValue(), proof))
            .as("tree of %d, account %s", size, e.getKey())
            .isEqualTo(tree.root());
      }
    }
  }

  @Test
  void equalsOpenZeppelinsMerkleProofOnArbitraryInput() {
    Random random = new Random(20261206);
    for (int n = 0; n < 150; n++) {
      byte[] account = new byte[Address.SIZE];
      random.nextBytes(account);
      BigInteger amount = new BigInteger(n % 3 == 0 ? 256 : 80, random);
      Address who = Address.wrap(account);
      List<Hash> proof = new ArrayList<>();
      int length = random.nextInt(21);
      for (int i = 0; i < length; i++) {
        byte[] sibling = new byte[Hash.SIZE];
        switch (random.nextInt(5)) {
          // The hash so far, so that the pair is equal: the order no longer matters.
          case 0 -> sibling = root("rootOf", who, amount, proof).toArray();
          case 1 -> {} // all zero: smaller than any hash
          case 2 -> java.util.Arrays.fill(sibling, (byte) 0xff);
          default -> random.nextBytes(sibling);
        }
        proof.add(Hash.wrap(sibling));
      }
      assertThat(root("rootOf", who, amount, proof))
          .as("case %d: %s %s %s", n, who, amount, proof)
          .isEqualTo(root("openZeppelinRootOf", who, amount, proof));
    }
  }

  private static Hash root(String function, Address account, BigInteger amount, List<Hash> proof) {
    String data =
        FunctionEncoder.encode(
            new Function(
                function,
                List.of(
                    new org.web3j.abi.datatypes.Address(account.toString()),
                    new Uint256(amount),
                    new DynamicArray<>(
                        Bytes32.class, proof.stream().map(h -> new Bytes32(h.toArray())).toList())),
                List.of()));
    try {
      String result =
          anvil
              .web3j()
              .ethCall(
                  Transaction.createEthCallTransaction(
                      Anvil.DEPLOYER.address().toString(), harness.toString(), data),
                  DefaultBlockParameterName.LATEST)
              .send()
              .getValue();
      return Hash.fromHex(result);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
