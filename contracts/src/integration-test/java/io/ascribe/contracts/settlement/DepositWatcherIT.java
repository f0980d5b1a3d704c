package io.ascribe.contracts.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.contracts.Anvil;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** DepositWatcher on anvil: confirmations, restarts, shallow and deep reorgs. */
class DepositWatcherIT {
  static final BigInteger OPEN = BigInteger.TEN.pow(18);
  static final int CONFIRMATIONS = 5;

  static Anvil anvil;
  static SettlementClient client;

  @TempDir Path dir;
  Contracts contracts;
  long deployedAt;
  final Address alice = Validators.key("alice").address();
  final Address bob = Validators.key("bob").address();

  @BeforeAll
  static void startAnvil() {
    anvil = Anvil.start();
    client = new SettlementClient(anvil.web3j(), Anvil.DEPLOYER);
  }

  @AfterAll
  static void stopAnvil() {
    if (anvil != null) {
      anvil.close();
    }
  }

  @BeforeEach
  void deploy() throws IOException {
    contracts =
        client.deployAll(
            OPEN.multiply(BigInteger.valueOf(1_000_000)),
            Validators.equalPower(Validators.keys("v", 1)),
            BigInteger.ZERO);
    deployedAt = anvil.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
  }

  DepositWatcher watcher() {
    return new DepositWatcher(
        anvil.web3j(), contracts.bridge(), CONFIRMATIONS, deployedAt, dir.resolve("deposits"));
  }

  TransactionReceipt deposit(BigInteger amount, Address to) {
    return client.deposit(contracts.token(), contracts.bridge(), amount, to);
  }

  @Test
  void eachDepositIsReportedOnceAfterNConfirmations() {
    DepositWatcher watcher = watcher();
    TransactionReceipt receipt = deposit(OPEN.multiply(BigInteger.valueOf(3)), alice);
    // The deposit's block is its first confirmation.
    for (int confirmations = 1; confirmations < CONFIRMATIONS; confirmations++) {
      assertThat(watcher.poll()).as("after %d confirmations", confirmations).isEmpty();
      anvil.mine(1);
    }
    List<BridgeDeposit> reported = watcher.poll();
    assertThat(reported).hasSize(1);
    BridgeDeposit d = reported.get(0);
    assertThat(d.nonce()).isZero();
    assertThat(d.from()).isEqualTo(client.sender());
    assertThat(d.ascribeRecipient()).isEqualTo(alice);
    assertThat(d.amount()).isEqualTo(OPEN.multiply(BigInteger.valueOf(3)));
    assertThat(d.blockNumber()).isEqualTo(receipt.getBlockNumber().longValueExact());
    assertThat(d.transactionHash()).isEqualTo(Hash.fromHex(receipt.getTransactionHash()));
    assertThat(watcher.poll()).isEmpty();
    anvil.mine(10);
    assertThat(watcher.poll()).isEmpty();

    deposit(BigInteger.ONE, bob);
    deposit(BigInteger.TWO, alice);
    anvil.mine(CONFIRMATIONS - 1);
    assertThat(watcher.poll())
        .extracting(BridgeDeposit::nonce, BridgeDeposit::ascribeRecipient, BridgeDeposit::amount)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(BigInteger.ONE, bob, BigInteger.ONE),
            org.assertj.core.groups.Tuple.tuple(BigInteger.TWO, alice, BigInteger.TWO));
    assertThat(watcher.nextNonce()).isEqualTo(3);
  }

  @Test
  void aLongCatchUpScansInRangesAndReportsInOrder() {
    anvil.mine(25);
    deposit(BigInteger.ONE, alice);
    anvil.mine(30);
    deposit(BigInteger.TWO, bob);
    anvil.mine(CONFIRMATIONS);
    Path state = dir.resolve("ranges");
    // Ranges of 10 blocks: the scan takes several eth_getLogs requests.
    assertThat(
            new DepositWatcher(
                    anvil.web3j(), contracts.bridge(), CONFIRMATIONS, deployedAt, state, 10)
                .poll())
        .extracting(BridgeDeposit::nonce, BridgeDeposit::amount)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(BigInteger.ZERO, BigInteger.ONE),
            org.assertj.core.groups.Tuple.tuple(BigInteger.ONE, BigInteger.TWO));
    assertThat(
            new DepositWatcher(
                    anvil.web3j(), contracts.bridge(), CONFIRMATIONS, deployedAt, state, 10)
                .poll())
        .isEmpty();
  }

  @Test
  void aRestartedWatcherReportsNothingTwice() {
    deposit(BigInteger.TEN, alice);
    anvil.mine(CONFIRMATIONS);
    assertThat(watcher().poll()).extracting(BridgeDeposit::nonce).containsExactly(BigInteger.ZERO);

    DepositWatcher restarted = watcher();
    assertThat(restarted.nextNonce()).isOne();
    assertThat(restarted.poll()).isEmpty();
    deposit(BigInteger.TWO, bob);
    anvil.mine(CONFIRMATIONS);
    assertThat(watcher().poll()).extracting(BridgeDeposit::nonce).containsExactly(BigInteger.ONE);
    assertThat(watcher().poll()).isEmpty();
  }

  @Test
  void aSinkThatFailsIsHandedTheSameDepositsAgain() {
    deposit(BigInteger.TEN, alice);
    anvil.mine(CONFIRMATIONS);
    DepositWatcher watcher = watcher();
    assertThatThrownBy(
            () ->
                watcher.poll(
                    deposits -> {
                      throw new IllegalStateException("disk full");
                    }))
        .hasMessage("disk full");
    // Neither this watcher nor a restarted one has moved past the deposit.
    assertThat(watcher().poll()).extracting(BridgeDeposit::nonce).containsExactly(BigInteger.ZERO);
    assertThat(watcher().poll()).isEmpty();
    assertThat(watcher.poll()).extracting(BridgeDeposit::nonce).containsExactly(BigInteger.ZERO);
  }

  @Test
  void aDepositThatAReorgRemovesBeforeNConfirmationsIsNeverReported() {
    DepositWatcher watcher = watcher();
    String beforeDeposit = anvil.snapshot();
    TransactionReceipt removed = deposit(OPEN, alice);
    anvil.mine(CONFIRMATIONS - 3);
    assertThat(watcher.poll()).isEmpty();

    // The chain reorganises from before the deposit (fewer than N blocks deep), and grows.
    anvil.revert(beforeDeposit);
    anvil.mine(2 * CONFIRMATIONS);
    assertThat(watcher.poll()).isEmpty();
    assertThat(watcher.nextNonce()).isZero();

    // Another deposit takes nonce 0 on the new chain and is what gets reported.
    TransactionReceipt kept = deposit(BigInteger.TWO, bob);
    anvil.mine(CONFIRMATIONS);
    List<BridgeDeposit> reported = watcher.poll();
    assertThat(reported).hasSize(1);
    assertThat(reported.get(0).transactionHash())
        .isEqualTo(Hash.fromHex(kept.getTransactionHash()))
        .isNotEqualTo(Hash.fromHex(removed.getTransactionHash()));
    assertThat(reported.get(0).ascribeRecipient()).isEqualTo(bob);
  }

  @Test
  void aReorgDeeperThanTheConfirmationsStopsTheWatcher() {
    DepositWatcher watcher = watcher();
    String beforeDeposit = anvil.snapshot();
    deposit(OPEN, alice);
    anvil.mine(CONFIRMATIONS);
    assertThat(watcher.poll()).hasSize(1);

    anvil.revert(beforeDeposit);
    anvil.mine(3 * CONFIRMATIONS);
    assertThatThrownBy(watcher::poll)
        .isInstanceOf(DepositWatcher.DeepReorgException.class)
        .hasMessageContaining("no longer on the chain");
    // And after a restart too: the state file remembers the block it scanned.
    assertThatThrownBy(() -> watcher().poll())
        .isInstanceOf(DepositWatcher.DeepReorgException.class);
  }
}
