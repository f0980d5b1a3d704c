package io.ascribe.node.executor;

import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Hex;
import io.ascribe.ledger.exec.TxReceipt;
import io.ascribe.ledger.exec.TxRejectedException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of every piece of work: the signed result or verdict is journaled, then submitted;
 * after a restart, or when it left the mempool unincluded, the same body goes again (at a new nonce
 * only if another transaction took its nonce), so a job gets one result from this node.
 */
final class SignedWork {
  private static final Logger LOG = LoggerFactory.getLogger(SignedWork.class);

  private SignedWork() {}

  /** Journals {@code tx} for {@code entry}'s job, then submits it. */
  static WorkOutcome post(WorkContext ctx, WorkJournal.Entry entry, SignedTransaction tx) {
    long start = System.nanoTime();
    WorkJournal.Entry signed = entry.signed(Hex.encode(tx.encoded()), tx.hash().toHex());
    ctx.journal().write(signed);
    WorkOutcome outcome = submit(ctx, tx);
    ctx.journal().write(signed.timed("post", (System.nanoTime() - start) / 1_000_000));
    return outcome;
  }

  /**
   * Carries a journaled transaction on: done once the chain shows {@code onChain}, else waiting
   * while it is pending, else submitted again.
   */
  static WorkOutcome resume(WorkContext ctx, WorkJournal.Entry entry, boolean onChain) {
    if (onChain) {
      ctx.journal().write(entry.in(WorkJournal.Phase.DONE));
      return WorkOutcome.DONE;
    }
    SignedTransaction tx = SignedTransaction.decode(Hex.decode(entry.signedTx()));
    if (ctx.submitter().pending(tx.hash())) {
      return new WorkOutcome.Pending();
    }
    Optional<TxReceipt> receipt = ctx.ledger().receipt(tx.hash());
    if (receipt.isPresent()) {
      ctx.journal().write(entry.in(WorkJournal.Phase.DONE));
      return receipt.get().success()
          ? WorkOutcome.DONE
          : new WorkOutcome.Failed(
              "transaction " + tx.hash() + " failed: " + receipt.get().error());
    }
    SignedTransaction again = ctx.submitter().again(tx);
    LOG.info(
        "Job {}: submitting its {} transaction {} again", entry.job(), entry.role(), again.hash());
    return post(ctx, entry, again);
  }

  private static WorkOutcome submit(WorkContext ctx, SignedTransaction tx) {
    try {
      ctx.submitter().submit(tx);
      return WorkOutcome.DONE;
    } catch (TxRejectedException e) {
      return new WorkOutcome.Waiting(
          "the mempool refused transaction "
              + tx.hash()
              + ": "
              + e.getMessage()
              + " (this node's account "
              + ctx.submitter().self()
              + " pays the fee)");
    }
  }
}
