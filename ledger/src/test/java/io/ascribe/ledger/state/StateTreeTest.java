package io.ascribe.ledger.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.state.AccountProof;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StateTreeTest {
  private final Random random = new Random(7);

  private Address randomAddress() {
    byte[] raw = new byte[20];
    random.nextBytes(raw);
    return Address.wrap(raw);
  }

  private AccountState randomAccount() {
    return AccountState.EMPTY
        .withBalance(BigInteger.valueOf(random.nextInt(1_000_000)))
        .withNonce(random.nextInt(100));
  }

  @Test
  void emptyTreeHasZeroRoot() {
    assertThat(StateTree.empty().root()).isEqualTo(Hash.ZERO);
  }

  @Test
  void rootDependsOnContentNotOnBatchingOrOrder() {
    Map<Hash, Hash> entries = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      entries.put(
          Keccak.hash(new byte[] {(byte) i, (byte) (i >> 8)}), Keccak.hash(new byte[] {(byte) i}));
    }
    StateTree bulk = StateTree.empty().with(entries);
    List<Map.Entry<Hash, Hash>> shuffled = new ArrayList<>(entries.entrySet());
    Collections.shuffle(shuffled, random);
    StateTree incremental = StateTree.empty();
    for (int i = 0; i < shuffled.size(); i += 37) {
      Map<Hash, Hash> batch = new HashMap<>();
      shuffled
          .subList(i, Math.min(i + 37, shuffled.size()))
          .forEach(e -> batch.put(e.getKey(), e.getValue()));
      incremental = incremental.with(batch);
    }
    assertThat(incremental.root()).isEqualTo(bulk.root());
    assertThat(incremental.size()).isEqualTo(500);
  }

  @Test
  void updatingAValueChangesTheRootAndKeepsTheOldSnapshot() {
    Hash key = Keccak.hash(new byte[] {1});
    StateTree before =
        StateTree.empty()
            .with(
                Map.of(
                    key,
                    Keccak.hash(new byte[] {2}),
                    Keccak.hash(new byte[] {3}),
                    Keccak.hash(new byte[] {4})));
    Hash rootBefore = before.root();
    StateTree after = before.with(Map.of(key, Keccak.hash(new byte[] {5})));
    assertThat(after.root()).isNotEqualTo(rootBefore);
    assertThat(before.root()).isEqualTo(rootBefore);
    assertThat(after.size()).isEqualTo(2);
  }

  @Test
  void everyAccountAndEveryAbsentAddressIsProvable() {
    Map<Address, AccountState> accounts = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      accounts.put(randomAddress(), randomAccount());
    }
    Map<Hash, Hash> leaves = new HashMap<>();
    accounts.forEach((a, s) -> leaves.put(StateTreeHashing.accountKey(a), s.valueHash()));
    StateTree tree = StateTree.empty().with(leaves);
    Hash root = tree.root();

    accounts.forEach(
        (address, state) -> {
          StateTree.Path path = tree.path(StateTreeHashing.accountKey(address));
          AccountProof proof =
              new AccountProof(address, Optional.of(state), path.siblings(), Optional.empty());
          assertThat(proof.verify(root)).isTrue();
          AccountProof lie =
              new AccountProof(
                  address,
                  Optional.of(state.withBalance(state.balance().add(BigInteger.ONE))),
                  path.siblings(),
                  Optional.empty());
          assertThat(lie.verify(root)).isFalse();
          AccountProof denial =
              new AccountProof(address, Optional.empty(), path.siblings(), Optional.empty());
          assertThat(denial.verify(root)).isFalse();
        });

    for (int i = 0; i < 100; i++) {
      Address absent = randomAddress();
      StateTree.Path path = tree.path(StateTreeHashing.accountKey(absent));
      AccountProof proof = new AccountProof(absent, Optional.empty(), path.siblings(), path.leaf());
      assertThat(proof.verify(root)).isTrue();
      AccountProof claim =
          new AccountProof(absent, Optional.of(randomAccount()), path.siblings(), Optional.empty());
      assertThat(claim.verify(root)).isFalse();
    }
  }
}
