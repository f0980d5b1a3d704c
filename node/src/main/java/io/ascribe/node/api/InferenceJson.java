package io.ascribe.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.ai.AttributionScore;
import io.ascribe.ledger.ai.FeeAuthorisationNonces;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.ReceiptChallenge;
import io.ascribe.ledger.ai.ReceiptRecord;
import io.ascribe.ledger.ai.WorkShare;
import java.math.BigInteger;
import java.util.List;

/**
 * The JSON shapes of inference receipt batches, their receipts, receipt challenges and users'
 * fee-authorisation records in the RPC: ids, hashes and addresses as 0x hex, counts, heights,
 * nonces and wei as hex quantities, enums in lower case. Attribution scores are signed parts per
 * million ({@code scorePpm}, a JSON integer): a hex quantity cannot carry the minus sign a score
 * that hurt the answer has.
 */
public final class InferenceJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private InferenceJson() {}

  public static ObjectNode batch(InferenceBatch b) {
    ObjectNode out = F.objectNode();
    out.put("id", b.id().toHex());
    out.put("executor", b.executor().toString());
    out.put("height", Quantities.toHex(b.height()));
    out.put("settleHeight", Quantities.toHex(b.settleHeight()));
    out.put("status", JobJson.label(b.status()));
    ArrayNode verifiers = out.putArray("verifiers");
    b.verifiers().forEach(v -> verifiers.add(v.toString()));
    ArrayNode receipts = out.putArray("receipts");
    for (int i = 0; i < b.receipts().size(); i++) {
      receipts.add(receipt(i, b.receipts().get(i)));
    }
    return out;
  }

  /**
   * Receipt {@code index} of its batch. {@code credits} are the shares of its fee by account and
   * role recorded so far: while it is held, those fixed at inclusion (contributors, fine-tuner,
   * executor); once paid, the verifiers' and validators' too.
   */
  public static ObjectNode receipt(int index, ReceiptRecord r) {
    ObjectNode out = F.objectNode();
    out.put("index", Quantities.toHex(index));
    out.put("requestHash", r.requestHash().toHex());
    out.put("model", r.model().toHex());
    out.put("adapter", r.adapter().map(Hash::toHex).orElse(null));
    out.put("datanet", r.datanet().toHex());
    out.set("scores", scores(r.scores()));
    out.put("outputHash", r.outputHash().toHex());
    out.put("user", r.user().toString());
    out.put("nonce", Quantities.toHex(r.authorisationNonce()));
    out.put("fee", Quantities.toHex(r.fee()));
    ArrayNode credits = out.putArray("credits");
    r.shares().forEach(s -> credits.add(share(s)));
    out.put("status", JobJson.label(r.status()));
    out.put("challenge", r.challenge().map(Hash::toHex).orElse(null));
    return out;
  }

  public static ObjectNode challenge(ReceiptChallenge c) {
    ObjectNode out = F.objectNode();
    out.put("id", c.id().toHex());
    out.put("batch", c.batch().toHex());
    out.put("receipt", Quantities.toHex(c.receipt()));
    out.put("challenger", c.challenger().toString());
    out.put("bond", Quantities.toHex(c.bond()));
    out.set("scores", scores(c.scores()));
    out.put("outputHash", c.outputHash().toHex());
    out.put("height", Quantities.toHex(c.height()));
    out.put("deadline", Quantities.toHex(c.deadline()));
    out.put("status", JobJson.label(c.status()));
    ArrayNode votes = out.putArray("votes");
    c.votes()
        .forEach(
            v ->
                votes
                    .addObject()
                    .put("voter", v.voter().toString())
                    .put("verdict", v.uphold() ? "uphold" : "reject"));
    boolean open = c.status() == ReceiptChallenge.Status.OPEN;
    out.put("decidedHeight", open ? null : Quantities.toHex(c.decidedHeight()));
    out.put("slashed", Quantities.toHex(c.slashed()));
    return out;
  }

  /**
   * A user's authorisation record: the highest nonce used, every used nonce in the window below it
   * (highest first), the lowest nonce the chain may still accept, and what its requests cost.
   */
  public static ObjectNode feeAuthorisations(FeeAuthorisationNonces n) {
    ObjectNode out = F.objectNode();
    out.put("user", n.user().toString());
    boolean any = n.highest() >= 0;
    out.put("highestNonce", any ? Quantities.toHex(n.highest()) : null);
    ArrayNode used = out.putArray("usedNonces");
    for (int age = 0; age < FeeAuthorisationNonces.WINDOW && age <= n.highest(); age++) {
      if (n.used().testBit(age)) {
        used.add(Quantities.toHex(n.highest() - age));
      }
    }
    long oldest = any ? Math.max(0, n.highest() - FeeAuthorisationNonces.WINDOW + 1) : 0;
    out.put("oldestUsableNonce", Quantities.toHex(oldest));
    out.put("windowSize", Quantities.toHex(FeeAuthorisationNonces.WINDOW));
    out.put("spent", Quantities.toHex(n.spent()));
    return out;
  }

  static ArrayNode scores(List<AttributionScore> scores) {
    ArrayNode out = F.arrayNode();
    scores.forEach(
        s ->
            out.addObject()
                .put("contribution", s.contribution().toHex())
                .put("scorePpm", s.scorePpm()));
    return out;
  }

  static ObjectNode share(WorkShare s) {
    return F.objectNode()
        .put("account", s.account().toString())
        .put("role", s.role().label())
        .put("amount", Quantities.toHex(s.amount()));
  }

  /** What {@code shares} pay out in all, to see what of a fee is left to burn. */
  static BigInteger total(List<WorkShare> shares) {
    return shares.stream().map(WorkShare::amount).reduce(BigInteger.ZERO, BigInteger::add);
  }
}
