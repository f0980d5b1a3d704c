package io.ascribe.node.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.InferenceReceipt;
import io.ascribe.core.tx.FeeAuthorisation;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import io.ascribe.node.executor.WorkSubmitter;
import io.ascribe.node.mempool.Mempool;
import io.ascribe.node.mempool.MempoolLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptBatcherTest {
  private static final Genesis GENESIS = DevnetGenesis.create();
  private static final PrivateKey USER = DevnetGenesis.devAccounts().get(3);
  private static final PrivateKey EXECUTOR = DevnetGenesis.devAccounts().get(0);

  @TempDir Path dir;
  private Ledger ledger;
  private Mempool mempool;
  private WorkSubmitter submitter;

  @BeforeEach
  void open() {
    ledger = Ledger.open(dir.resolve("chain"), GENESIS);
    mempool =
        new Mempool(
            GENESIS.chainId(), GENESIS.params().minFee(), MempoolLimits.DEFAULT, Clock.systemUTC());
    submitter = new WorkSubmitter(ledger, mempool, EXECUTOR, tx -> {});
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private static InferenceReceipt receipt(long nonce) {
    Hash request = Keccak.hash(new byte[] {(byte) nonce});
    BigInteger fee = BigInteger.TEN.pow(16);
    FeeAuthorisation a =
        new FeeAuthorisation(
            GENESIS.chainId(),
            USER.address(),
            EXECUTOR.address(),
            nonce,
            fee,
            fee.shiftLeft(8),
            request);
    return TxBodies.inferenceReceipt(
        request,
        Keccak.hash(new byte[] {9}),
        Optional.empty(),
        Keccak.hash(new byte[] {8}),
        List.of(),
        Keccak.hash(new byte[] {7}),
        a.toProto(a.sign(USER)));
  }

  @Test
  void receiptsAreOnDiskBeforeTheyArePostedAndWaitTheirTurn() {
    Path file = dir.resolve("receipts.json");
    ReceiptBatcher batcher = new ReceiptBatcher(ledger, submitter, file, 5);
    batcher.add(receipt(1));
    batcher.add(receipt(2));
    batcher.onCommitted();

    assertThat(mempool.size()).as("not due: the oldest has waited 0 of 5 blocks").isZero();
    ReceiptBatcher reopened = new ReceiptBatcher(ledger, submitter, file, 5);
    assertThat(reopened.held()).containsExactly(receipt(1), receipt(2));
    assertThat(reopened.heldFor(USER.address())).hasSize(2);
    assertThat(reopened.heldFor(EXECUTOR.address())).isEmpty();
  }

  @Test
  void aDueBatchIsSubmittedOnceAndResumedAfterARestart() {
    Path file = dir.resolve("receipts.json");
    ReceiptBatcher batcher = new ReceiptBatcher(ledger, submitter, file, 0);
    batcher.add(receipt(1));
    batcher.add(receipt(2));
    batcher.onCommitted();

    assertThat(mempool.size()).isEqualTo(1);
    var tx = mempool.candidates(10, ledger).getFirst();
    assertThat(tx.body().getSubmitInferenceReceipts().getReceiptsList())
        .containsExactly(receipt(1), receipt(2));

    // A restart while the batch waits for a block: it is held in flight, not sent a second time.
    ReceiptBatcher reopened = new ReceiptBatcher(ledger, submitter, file, 0);
    reopened.onCommitted();
    assertThat(mempool.size()).isEqualTo(1);
    assertThat(reopened.held()).containsExactly(receipt(1), receipt(2));
  }

  @Test
  void anUnreadableFileNamesWhatItHoldsAndWhatToDo() throws IOException {
    Path file = dir.resolve("receipts.json");
    Files.writeString(file, "{\"pending\": [");
    assertThatThrownBy(() -> new ReceiptBatcher(ledger, submitter, file, 0))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("not yet posted")
        .hasMessageContaining("move it aside");
  }
}
