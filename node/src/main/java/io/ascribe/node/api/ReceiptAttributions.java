package io.ascribe.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.AttributionScore;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.FeeAttribution;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.ReceiptChallenge;
import io.ascribe.ledger.ai.ReceiptRecord;
import io.ascribe.ledger.ai.WorkRole;
import io.ascribe.ledger.ai.WorkShare;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code ascribe_getAttribution} for inference receipts: who earned what from each receipt of a
 * batch once its fee is settled, in the shape a tuning job's attribution has (shares by account and
 * role, contributors with the contributions they were paid for, burned, refunded, slashed). A
 * receipt's fee is settled when its batch pays out, or earlier when a challenge upheld against the
 * executor voided it and refunded the user; until then the answer is {@link ChainApi#NOT_FOUND},
 * saying when the fee moves.
 */
final class ReceiptAttributions {
  /** A ppm score as the chain's 10^9 fixed point, the scale a job's attribution shows. */
  private static final long PPM_TO_E9 = 1_000;

  private final Ledger ledger;
  private final ObjectReplies replies;

  ReceiptAttributions(Ledger ledger, ObjectReplies replies) {
    this.ledger = ledger;
    this.replies = replies;
  }

  /**
   * The attribution of receipt {@code index} of {@code batch}, or of all its receipts when no index
   * is given; with a proof, built from the batch the proof shows.
   */
  ObjectNode attribution(InferenceBatch batch, OptionalLong index, boolean proof) {
    Optional<ObjectReplies.Proven<InferenceBatch>> proven =
        proof ? Optional.of(replies.proven(batch)) : Optional.empty();
    InferenceBatch shown = proven.map(ObjectReplies.Proven::object).orElse(batch);
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("batch", shown.id().toHex());
    out.put("executor", shown.executor().toString());
    out.put("batchStatus", JobJson.label(shown.status()));
    if (index.isPresent()) {
      long i = index.getAsLong();
      if (i >= shown.receipts().size()) {
        throw ObjectReplies.notFound(
            "batch "
                + shown.id()
                + " has "
                + shown.receipts().size()
                + " receipts, no receipt "
                + i,
            "receipts are numbered from 0x0");
      }
      out.setAll(receipt(shown, (int) i));
    } else {
      if (shown.status() == InferenceBatch.Status.HELD) {
        throw ObjectReplies.notFound(
            "batch " + shown.id() + " is held, not settled",
            heldHint(shown) + "; ask for one receipt of it to see a voided one's refund now");
      }
      ArrayNode receipts = out.putArray("receipts");
      for (int i = 0; i < shown.receipts().size(); i++) {
        receipts.add(receipt(shown, i));
      }
    }
    proven.ifPresent(p -> out.set("proof", p.proof()));
    return out;
  }

  private ObjectNode receipt(InferenceBatch batch, int index) {
    ReceiptRecord receipt = batch.receipts().get(index);
    Optional<ReceiptChallenge> challenge = receipt.challenge().flatMap(ledger::receiptChallenge);
    FeeAttribution attribution =
        switch (receipt.status()) {
          case PAID -> paid(batch, receipt, challenge);
          case VOIDED -> voided(batch, receipt, challenge.orElseThrow());
          case HELD, CHALLENGED ->
              throw ObjectReplies.notFound(
                  "receipt "
                      + index
                      + " of batch "
                      + batch.id()
                      + " is "
                      + JobJson.label(receipt.status())
                      + receipt.challenge().map(c -> " (by challenge " + c + ")").orElse("")
                      + ", not settled",
                  heldHint(batch));
        };
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("receipt", Quantities.toHex(index));
    out.put("status", JobJson.label(receipt.status()));
    out.put("challenge", receipt.challenge().map(Hash::toHex).orElse(null));
    out.put("challengeStatus", challenge.map(c -> JobJson.label(c.status())).orElse(null));
    out.put(
        "upheldAgainstExecutor",
        challenge.map(c -> c.status() == ReceiptChallenge.Status.UPHELD).orElse(false));
    out.setAll(JobJson.attribution(attribution));
    return out;
  }

  private static String heldHint(InferenceBatch batch) {
    return "its fees are paid out at the start of block "
        + batch.settleHeight()
        + " (later while a challenge against it is open); follow it with"
        + " ascribe_getInferenceBatch";
  }

  /**
   * A paid receipt: the shares its record holds by role, the rest of the fee burned, and the bond
   * of a challenger whose challenge against it was rejected.
   */
  private FeeAttribution paid(
      InferenceBatch batch, ReceiptRecord receipt, Optional<ReceiptChallenge> challenge) {
    List<FeeAttribution.Share> shares = new ArrayList<>();
    for (WorkShare share : receipt.shares()) {
      SortedMap<Hash, Long> sources = new TreeMap<>();
      if (share.role() == WorkRole.CONTRIBUTOR) {
        for (AttributionScore s : receipt.scores()) {
          if (s.scorePpm() > 0 && share.account().equals(contributorOf(s.contribution()))) {
            sources.put(s.contribution(), s.scorePpm() * PPM_TO_E9);
          }
        }
      }
      shares.add(new FeeAttribution.Share(share, sources));
    }
    List<WorkShare> slashed = new ArrayList<>();
    challenge
        .filter(c -> c.status() == ReceiptChallenge.Status.REJECTED && c.slashed().signum() > 0)
        .ifPresent(c -> slashed.add(new WorkShare(c.challenger(), WorkRole.VERIFIER, c.slashed())));
    BigInteger burned = receipt.fee().subtract(InferenceJson.total(receipt.shares()));
    return new FeeAttribution(
        receipt.fee(),
        receipt.user(),
        batch.settleHeight(),
        shares,
        burned,
        BigInteger.ZERO,
        slashed);
  }

  /** A voided receipt: the whole fee back to the user, the executor slashed when it was decided. */
  private static FeeAttribution voided(
      InferenceBatch batch, ReceiptRecord receipt, ReceiptChallenge challenge) {
    List<WorkShare> slashed = new ArrayList<>();
    if (challenge.slashed().signum() > 0) {
      slashed.add(new WorkShare(batch.executor(), WorkRole.EXECUTOR, challenge.slashed()));
    }
    return new FeeAttribution(
        receipt.fee(),
        receipt.user(),
        challenge.decidedHeight(),
        List.of(),
        BigInteger.ZERO,
        receipt.fee(),
        slashed);
  }

  private Address contributorOf(Hash contribution) {
    // A scored contribution was active when the receipt was admitted, and objects are never
    // removed, so it is always there.
    return ledger.contribution(contribution).map(Contribution::contributor).orElseThrow();
  }
}
