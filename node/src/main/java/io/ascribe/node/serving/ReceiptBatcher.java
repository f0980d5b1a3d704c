package io.ascribe.node.serving;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ascribe.core.proto.InferenceReceipt;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hex;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.exec.TxReceipt;
import io.ascribe.ledger.exec.TxRejectedException;
import io.ascribe.node.config.AtomicFiles;
import io.ascribe.node.executor.WorkSubmitter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receipts of answers this executor served and has not posted yet, on disk ({@code
 * receipts.json}) before the answer goes back to the user, and posted in batches: when {@value
 * #MAX_BATCH} wait, or when the oldest has waited {@code maxWaitBlocks}. A batch is all or nothing
 * on chain, so when one fails its receipts go again one by one, and only the one the ledger refuses
 * alone is dropped (with a log line naming it). The batch in flight is journaled with its signed
 * transaction, so a restart sends it again instead of a second one.
 */
final class ReceiptBatcher {
  private static final Logger LOG = LoggerFactory.getLogger(ReceiptBatcher.class);

  /** The most receipts one batch carries (the ledger's limit). */
  static final int MAX_BATCH = 64;

  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /**
   * What is on disk.
   *
   * @param pending receipts not yet in a batch, hex of their protobuf bytes, oldest first
   * @param since the height at which the oldest pending receipt was served
   * @param singles how many of the first pending receipts go one per batch (a failed batch's)
   * @param inflight the batch submitted and not yet seen on chain, if any
   */
  record State(List<String> pending, long since, int singles, Inflight inflight) {
    State {
      pending = List.copyOf(pending);
    }
  }

  /** A submitted batch: its signed transaction and the receipts it carries. */
  record Inflight(String tx, List<String> receipts) {
    Inflight {
      receipts = List.copyOf(receipts);
    }
  }

  private final Ledger ledger;
  private final WorkSubmitter submitter;
  private final Path file;
  private final long maxWaitBlocks;
  private State state;

  ReceiptBatcher(Ledger ledger, WorkSubmitter submitter, Path file, long maxWaitBlocks) {
    this.ledger = ledger;
    this.submitter = submitter;
    this.file = file;
    this.maxWaitBlocks = maxWaitBlocks;
    this.state = read(file);
  }

  /** Keeps {@code receipt}; it is on disk when this returns. */
  synchronized void add(InferenceReceipt receipt) {
    List<String> pending = new ArrayList<>(state.pending());
    pending.add(Hex.encode(receipt.toByteArray()));
    long since = state.pending().isEmpty() ? ledger.height() : state.since();
    save(new State(pending, since, state.singles(), state.inflight()));
  }

  /** Every receipt held and not yet on chain, in flight or waiting. */
  synchronized List<InferenceReceipt> held() {
    List<InferenceReceipt> all = new ArrayList<>();
    if (state.inflight() != null) {
      state.inflight().receipts().forEach(r -> all.add(parse(r)));
    }
    state.pending().forEach(r -> all.add(parse(r)));
    return all;
  }

  /** The user's authorisations among {@link #held}. */
  synchronized List<io.ascribe.core.proto.FeeAuthorisation> heldFor(Address user) {
    return held().stream()
        .map(InferenceReceipt::getAuthorisation)
        .filter(a -> Address.wrap(a.getUser().toByteArray()).equals(user))
        .toList();
  }

  /** After each committed block: settles the batch in flight, and sends the next when due. */
  synchronized void onCommitted() {
    if (state.inflight() != null && !settleInflight()) {
      return;
    }
    if (state.pending().isEmpty()) {
      return;
    }
    boolean due =
        state.singles() > 0
            || state.pending().size() >= MAX_BATCH
            || ledger.height() - state.since() >= maxWaitBlocks;
    if (due) {
      send();
    }
  }

  /** Whether the batch in flight is over (on chain, or given up), so the next may go. */
  private boolean settleInflight() {
    Inflight inflight = state.inflight();
    SignedTransaction tx = SignedTransaction.decode(Hex.decode(inflight.tx()));
    if (submitter.pending(tx.hash())) {
      return false;
    }
    Optional<TxReceipt> receipt = ledger.receipt(tx.hash());
    if (receipt.isEmpty()) {
      SignedTransaction again = submitter.again(tx);
      save(
          new State(
              state.pending(),
              state.since(),
              state.singles(),
              new Inflight(Hex.encode(again.encoded()), inflight.receipts())));
      submit(again);
      return false;
    }
    if (receipt.get().success()) {
      LOG.info(
          "Posted {} inference receipt(s) in transaction {}",
          inflight.receipts().size(),
          tx.hash());
      save(new State(state.pending(), state.since(), state.singles(), null));
      return true;
    }
    if (inflight.receipts().size() == 1) {
      LOG.warn(
          "Dropped an inference receipt the chain refuses ({}): its user is not charged",
          receipt.get().error());
      save(new State(state.pending(), state.since(), state.singles(), null));
      return true;
    }
    LOG.warn(
        "A batch of {} inference receipts failed ({}); posting them one by one",
        inflight.receipts().size(),
        receipt.get().error());
    List<String> back = new ArrayList<>(inflight.receipts());
    back.addAll(state.pending());
    save(new State(back, state.since(), inflight.receipts().size() + state.singles(), null));
    return true;
  }

  private void send() {
    int count = state.singles() > 0 ? 1 : Math.min(MAX_BATCH, state.pending().size());
    List<String> taken = state.pending().subList(0, count);
    List<InferenceReceipt> receipts = taken.stream().map(ReceiptBatcher::parse).toList();
    SignedTransaction tx =
        submitter.sign(
            nonce ->
                TxBodies.submitInferenceReceipts(
                    submitter.chainId(), nonce, submitter.fee(), receipts));
    List<String> rest = new ArrayList<>(state.pending().subList(count, state.pending().size()));
    save(
        new State(
            rest,
            ledger.height(),
            Math.max(0, state.singles() - count),
            new Inflight(Hex.encode(tx.encoded()), taken)));
    submit(tx);
  }

  private void submit(SignedTransaction tx) {
    try {
      submitter.submit(tx);
    } catch (TxRejectedException e) {
      LOG.warn(
          "The mempool refused receipt batch {}: {} (this executor's account {} pays its fee);"
              + " trying again at the next block",
          tx.hash(),
          e.getMessage(),
          submitter.self());
    }
  }

  private static InferenceReceipt parse(String hex) {
    try {
      return InferenceReceipt.parseFrom(Hex.decode(hex));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a held inference receipt is not a receipt", e);
    }
  }

  private void save(State next) {
    try {
      Files.createDirectories(file.getParent());
      AtomicFiles.write(file, JSON.writeValueAsString(next), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    state = next;
  }

  private static State read(Path file) {
    if (!Files.exists(file)) {
      return new State(List.of(), 0, 0, null);
    }
    try {
      return JSON.readValue(file.toFile(), State.class);
    } catch (IOException e) {
      throw new UncheckedIOException(
          file
              + " is unreadable ("
              + e.getMessage()
              + "): it holds the inference receipts not yet posted; move it aside to start"
              + " without them (their users are then not charged)",
          e);
    }
  }
}
