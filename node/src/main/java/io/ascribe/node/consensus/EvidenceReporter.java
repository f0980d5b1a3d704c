package io.ascribe.node.consensus;

import io.ascribe.consensus.Action;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.SubmitEvidence;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.ValidatorRecord;
import io.ascribe.ledger.exec.TxRejectedException;
import io.ascribe.node.mempool.Mempool;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a double sign that consensus saw into an evidence transaction, signed by the node key (its
 * account pays the minimum fee), put in the mempool and gossiped, to be included like any other.
 * Each offender is reported once per run, and not at all once the chain has punished it: the ledger
 * slashes a key once, so further reports would only cost fees. Used from the consensus thread only.
 */
public final class EvidenceReporter {
  private static final Logger LOG = LoggerFactory.getLogger(EvidenceReporter.class);

  private final Ledger ledger;
  private final Mempool mempool;
  private final PrivateKey key;
  private final Consumer<SignedTransaction> gossip;
  private final Set<Address> reported = new HashSet<>();

  /**
   * @param gossip hears each evidence transaction the mempool took, to send it to peers
   */
  public EvidenceReporter(
      Ledger ledger, Mempool mempool, PrivateKey key, Consumer<SignedTransaction> gossip) {
    this.ledger = ledger;
    this.mempool = mempool;
    this.key = key;
    this.gossip = gossip;
  }

  /** Reports two conflicting votes; returns the transaction, or empty if it was not reported. */
  public Optional<SignedTransaction> report(Action.Evidence evidence) {
    SubmitEvidence proof = evidence.toProto(ledger.genesis().chainId());
    LOG.warn(
        "Validator {} double-voted ({} at height {} round {})",
        evidence.first().validator(),
        evidence.first().type(),
        evidence.first().height(),
        evidence.first().round());
    return report(evidence.first().validator(), proof);
  }

  /**
   * Reports two conflicting proposals; returns the transaction, or empty if it was not reported.
   */
  public Optional<SignedTransaction> report(Action.ProposalEvidence evidence) {
    LOG.warn(
        "Validator {} double-proposed at height {} round {}",
        evidence.first().proposer(),
        evidence.first().height(),
        evidence.first().round());
    return report(evidence.first().proposer(), evidence.toProto());
  }

  private Optional<SignedTransaction> report(Address offender, SubmitEvidence proof) {
    if (ledger.validatorRecord(offender).map(ValidatorRecord::jailed).orElse(false)
        || !reported.add(offender)) {
      return Optional.empty();
    }
    Address self = key.address();
    long nonce = mempool.nextNonce(self, ledger.account(self).nonce());
    SignedTransaction tx =
        SignedTransaction.sign(
            TxBodies.submitEvidence(
                ledger.genesis().chainId(), nonce, ledger.genesis().params().minFee(), proof),
            key);
    try {
      mempool.add(tx, self, ledger);
    } catch (TxRejectedException e) {
      LOG.warn(
          "Cannot submit evidence against {}: {} (the node's account {} pays its fee)",
          offender,
          e.getMessage(),
          self);
      return Optional.empty();
    }
    gossip.accept(tx);
    LOG.info("Submitted evidence against {} in transaction {}", offender, tx.hash());
    return Optional.of(tx);
  }
}
