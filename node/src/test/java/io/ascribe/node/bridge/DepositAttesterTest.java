package io.ascribe.node.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.contracts.settlement.BridgeDeposit;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import io.ascribe.node.mempool.Mempool;
import io.ascribe.node.mempool.MempoolLimits;
import io.ascribe.node.producer.BlockProducer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The devnet's sole validator attesting deposits on a real ledger: once per deposit, across
 * restarts of the node, and again only when its attestation was lost before a block took it.
 */
class DepositAttesterTest {
  private static final Genesis.Bridge BRIDGE =
      new Genesis.Bridge(31337, Address.fromHex("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"), 3);
  private static final PrivateKey VALIDATOR = DevnetGenesis.devAccounts().get(0);
  private static final Address RECIPIENT =
      Address.fromHex("0x000000000000000000000000000000000000bEEF");

  @TempDir Path dir;
  private Ledger ledger;
  private Mempool mempool;
  private final List<SignedTransaction> gossiped = new ArrayList<>();

  @BeforeEach
  void open() {
    ledger = Ledger.open(dir.resolve("chain"), DevnetGenesis.create().withBridge(BRIDGE));
    mempool = newMempool();
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private Mempool newMempool() {
    return new Mempool(
        ledger.genesis().chainId(),
        ledger.genesis().params().minFee(),
        MempoolLimits.DEFAULT,
        Clock.systemUTC());
  }

  private DepositAttester attester(PrivateKey key) {
    return new DepositAttester(
        ledger, mempool, key, gossiped::add, new PendingDeposits(dir.resolve("pending.json")));
  }

  private static BridgeDeposit deposit(long nonce, long open) {
    return new BridgeDeposit(
        BigInteger.valueOf(nonce),
        DevnetGenesis.devAccounts().get(1).address(),
        RECIPIENT,
        Amount.ONE_OPEN.multiply(BigInteger.valueOf(open)),
        100 + nonce,
        hash("block " + nonce),
        hash("tx " + nonce),
        0);
  }

  private static Hash hash(String text) {
    return Keccak.hash(text.getBytes(StandardCharsets.UTF_8));
  }

  private void produceBlock() {
    new BlockProducer(ledger, mempool, VALIDATOR, Clock.systemUTC(), block -> {}).produce();
  }

  private List<SignedTransaction> pendingTxs() {
    return mempool.candidates(100, ledger);
  }

  @Test
  void eachDepositIsAttestedOnceAndForgottenWhenCredited() {
    DepositAttester attester = attester(VALIDATOR);
    attester.take(List.of(deposit(0, 5), deposit(1, 2)));
    attester.attestPending();
    List<SignedTransaction> sent = pendingTxs();
    assertThat(sent).hasSize(2);
    assertThat(sent).allSatisfy(tx -> assertThat(tx.sender()).isEqualTo(VALIDATOR.address()));
    TxBody first = sent.get(0).body();
    assertThat(first.getAttestDeposit().getDeposit()).isZero();
    assertThat(first.getAttestDeposit().getEvmChainId()).isEqualTo(BRIDGE.evmChainId());
    assertThat(first.getFee().toByteArray())
        .isEqualTo(Amount.encode(ledger.genesis().params().minFee()));
    assertThat(gossiped).containsExactlyElementsOf(sent);

    // Still in the mempool: nothing is sent again.
    attester.attestPending();
    assertThat(pendingTxs()).hasSize(2);

    produceBlock();
    assertThat(ledger.account(RECIPIENT).balance()).isEqualTo(Amount.parseOpen("7"));
    assertThat(ledger.system().bridge().nextDeposit()).isEqualTo(2);
    attester.attestPending();
    assertThat(pendingTxs()).isEmpty();
    assertThat(new PendingDeposits(dir.resolve("pending.json")).isEmpty()).isTrue();
  }

  @Test
  void aRestartAfterTheBlockTookTheAttestationSendsNothingAgain() {
    attester(VALIDATOR).take(List.of(deposit(0, 5)));
    attester(VALIDATOR).attestPending();
    produceBlock();
    // A new attester (the node restarted) finds the deposit still pending on disk, and settled.
    DepositAttester restarted = attester(VALIDATOR);
    restarted.attestPending();
    assertThat(pendingTxs()).isEmpty();
    assertThat(gossiped).hasSize(1);
    assertThat(new PendingDeposits(dir.resolve("pending.json")).isEmpty()).isTrue();
    assertThat(ledger.account(RECIPIENT).balance()).isEqualTo(Amount.parseOpen("5"));
  }

  @Test
  void anAttestationLostWithTheMempoolIsSentAgain() {
    DepositAttester attester = attester(VALIDATOR);
    attester.take(List.of(deposit(0, 5)));
    attester.attestPending();
    // The node restarts before a block took it: the mempool is gone, the pending file is not.
    mempool = newMempool();
    DepositAttester restarted = attester(VALIDATOR);
    restarted.attestPending();
    assertThat(pendingTxs()).hasSize(1);
    produceBlock();
    assertThat(ledger.account(RECIPIENT).balance()).isEqualTo(Amount.parseOpen("5"));
  }

  @Test
  void aNodeOutsideTheValidatorSetKeepsDepositsButAttestsNone() {
    PrivateKey outsider = DevnetGenesis.devAccounts().get(5);
    DepositAttester attester = attester(outsider);
    attester.take(List.of(deposit(0, 5)));
    attester.attestPending();
    assertThat(pendingTxs()).isEmpty();
    assertThat(new PendingDeposits(dir.resolve("pending.json")).all())
        .extracting(d -> d.number())
        .containsExactly(0L);
  }
}
