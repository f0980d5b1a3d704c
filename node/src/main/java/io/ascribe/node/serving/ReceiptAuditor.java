package io.ascribe.node.serving;

import com.google.protobuf.ByteString;
import io.ascribe.core.ai.InferenceRequest;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.ReceiptChallenge;
import io.ascribe.ledger.ai.ReceiptRecord;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.TxRejectedException;
import io.ascribe.node.executor.ContentSource;
import io.ascribe.node.executor.WorkSubmitter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A capable validator's check of other executors' inference receipts: a seeded sample of the
 * receipts in each committed batch is re-executed from the request the executor published (fetched
 * by the receipt's request hash, then the prompt by its hash), and a receipt whose answer or
 * attribution differs from the re-run beyond the tolerance is challenged with the re-run's figures.
 * A challenge someone else opened is voted on the same way: uphold when the re-run disagrees with
 * the receipt. Which receipts a validator samples depends on the batch, the receipt and the
 * validator, so executors cannot tell which answers will be checked, and validators check different
 * ones.
 */
final class ReceiptAuditor {
  private static final Logger LOG = LoggerFactory.getLogger(ReceiptAuditor.class);

  /** How far a re-run's share of a contribution may be from the receipt's (2 points). */
  static final long SCORE_TOLERANCE_PPM = 20_000;

  private sealed interface Audit permits CheckReceipt, Vote {}

  private record CheckReceipt(Hash batch, int index) implements Audit {}

  private record Vote(Hash challenge) implements Audit {}

  private final Ledger ledger;
  private final WorkSubmitter submitter;
  private final ContentSource content;
  private final RequestRunner runner;
  private final int samplePercent;
  private final Duration fetchTimeout;
  private final Deque<Audit> queue = new ArrayDeque<>();
  // Recent re-runs, so a receipt checked and then challenged by someone else is not run twice.
  private final Map<Hash, RerunResult> reruns =
      new java.util.LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, RerunResult> eldest) {
          return size() > 256;
        }
      };

  private record RerunResult(Hash output, Map<Hash, Long> ppm) {}

  ReceiptAuditor(
      Ledger ledger,
      WorkSubmitter submitter,
      ContentSource content,
      RequestRunner runner,
      int samplePercent,
      Duration fetchTimeout) {
    this.ledger = ledger;
    this.submitter = submitter;
    this.content = content;
    this.runner = runner;
    this.samplePercent = samplePercent;
    this.fetchTimeout = fetchTimeout;
  }

  /**
   * Queues the audits {@code block} calls for: the sampled receipts of the batches it created, and
   * the challenges it opened, read from the objects the block changed (no transaction is decoded
   * again on the commit path).
   */
  synchronized void enqueue(ExecutedBlock block) {
    Address self = submitter.self();
    for (LedgerObject object : block.changedObjects().values()) {
      switch (object) {
        case InferenceBatch batch
            when batch.height() == block.height() && !batch.executor().equals(self) -> {
          for (int i = 0; i < batch.receipts().size(); i++) {
            if (sampled(batch.id(), i)) {
              queue.add(new CheckReceipt(batch.id(), i));
            }
          }
        }
        case ReceiptChallenge challenge
            when challenge.height() == block.height() && !challenge.challenger().equals(self) ->
            queue.add(new Vote(challenge.id()));
        default -> {}
      }
    }
  }

  /** Whether this validator re-executes receipt {@code index} of {@code batch}. */
  boolean sampled(Hash batch, int index) {
    Hash h =
        Keccak.hash(
            "ascribe/audit".getBytes(StandardCharsets.US_ASCII),
            batch.toArray(),
            ByteBuffer.allocate(4).putInt(index).array(),
            submitter.self().toArray());
    return Math.floorMod(ByteBuffer.wrap(h.toArray()).getLong(), 100) < samplePercent;
  }

  /** Runs the queued audits, oldest first; called on the work thread. */
  void runQueued() {
    while (true) {
      Audit next;
      synchronized (this) {
        next = queue.poll();
      }
      if (next == null) {
        return;
      }
      try {
        switch (next) {
          case CheckReceipt c -> check(c.batch(), c.index());
          case Vote v -> vote(v.challenge());
        }
      } catch (ContentSource.ContentMissingException | IllegalArgumentException e) {
        LOG.warn("Receipts: cannot re-execute ({}): {}", next, e.getMessage());
      }
    }
  }

  private void check(Hash batchId, int index) {
    Optional<InferenceBatch> batch = ledger.inferenceBatch(batchId);
    if (batch.isEmpty() || batch.get().status() != InferenceBatch.Status.HELD) {
      return;
    }
    ReceiptRecord receipt = batch.get().receipts().get(index);
    if (receipt.challenge().isPresent()) {
      return;
    }
    RerunResult rerun = rerun(receipt);
    if (agrees(receipt, rerun)) {
      LOG.info("Receipts: receipt {} of batch {} re-executed and agrees", index, batchId);
      return;
    }
    BigInteger bond = ledger.genesis().params().ai().jobs().executorBond();
    SignedTransaction tx =
        submitter.sign(
            nonce ->
                TxBodies.challengeReceipt(
                    submitter.chainId(),
                    nonce,
                    submitter.fee(),
                    batchId,
                    index,
                    scores(rerun.ppm()),
                    rerun.output(),
                    bond));
    submit(tx);
    LOG.warn(
        "Receipts: receipt {} of batch {} by {} disagrees with its re-execution; challenged in {}",
        index,
        batchId,
        batch.get().executor(),
        tx.hash());
  }

  private void vote(Hash challengeId) {
    Optional<ReceiptChallenge> challenge = ledger.receiptChallenge(challengeId);
    if (challenge.isEmpty()
        || challenge.get().status() != ReceiptChallenge.Status.OPEN
        || challenge.get().votes().stream().anyMatch(v -> v.voter().equals(submitter.self()))) {
      return;
    }
    InferenceBatch batch = ledger.inferenceBatch(challenge.get().batch()).orElseThrow();
    if (batch.executor().equals(submitter.self())) {
      return;
    }
    ReceiptRecord receipt = batch.receipts().get(challenge.get().receipt());
    boolean uphold = !agrees(receipt, rerun(receipt));
    SignedTransaction tx =
        submitter.sign(
            nonce ->
                TxBodies.voteOnChallenge(
                    submitter.chainId(), nonce, submitter.fee(), challengeId, uphold));
    submit(tx);
    LOG.info(
        "Receipts: voted to {} challenge {} after re-executing the receipt",
        uphold ? "uphold" : "reject",
        challengeId);
  }

  private RerunResult rerun(ReceiptRecord receipt) {
    return reruns.computeIfAbsent(
        receipt.requestHash(),
        h -> {
          InferenceRequest.Preimage preimage =
              InferenceRequest.Preimage.parse(content.fetch(h, fetchTimeout));
          InferenceRequest request =
              preimage.withPrompt(content.fetch(preimage.promptHash(), fetchTimeout));
          RagEngine.Answer answer = runner.run(request);
          Map<Hash, Long> ppm = new TreeMap<>();
          answer.citations().forEach(c -> ppm.put(c.contribution(), c.ppm()));
          return new RerunResult(InferenceRequest.outputHash(answer.text()), ppm);
        });
  }

  /** The same answer, and every contribution's share within {@link #SCORE_TOLERANCE_PPM}. */
  static boolean agrees(ReceiptRecord receipt, Hash output, Map<Hash, Long> ppm) {
    if (!receipt.outputHash().equals(output)) {
      return false;
    }
    Map<Hash, Long> claimed = new TreeMap<>();
    receipt.scores().forEach(s -> claimed.put(s.contribution(), s.scorePpm()));
    Map<Hash, Long> union = new TreeMap<>(claimed);
    ppm.keySet().forEach(k -> union.putIfAbsent(k, 0L));
    return union.keySet().stream()
        .allMatch(
            k ->
                Math.abs(claimed.getOrDefault(k, 0L) - ppm.getOrDefault(k, 0L))
                    <= SCORE_TOLERANCE_PPM);
  }

  private static boolean agrees(ReceiptRecord receipt, RerunResult rerun) {
    return agrees(receipt, rerun.output(), rerun.ppm());
  }

  private static List<io.ascribe.core.proto.AttributionScore> scores(Map<Hash, Long> ppm) {
    return ppm.entrySet().stream()
        .map(
            e ->
                io.ascribe.core.proto.AttributionScore.newBuilder()
                    .setContribution(ByteString.copyFrom(e.getKey().toArray()))
                    .setScorePpm(e.getValue())
                    .build())
        .toList();
  }

  private void submit(SignedTransaction tx) {
    try {
      submitter.submit(tx);
    } catch (TxRejectedException e) {
      LOG.warn(
          "Receipts: the mempool refused {}: {} (this validator's account {} pays it)",
          tx.hash(),
          e.getMessage(),
          submitter.self());
    }
  }
}
