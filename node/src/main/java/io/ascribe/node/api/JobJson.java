package io.ascribe.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.DecimalE9;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.Attestation;
import io.ascribe.ledger.ai.Capability;
import io.ascribe.ledger.ai.EvalMetrics;
import io.ascribe.ledger.ai.FeeAttribution;
import io.ascribe.ledger.ai.JobSettlement;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.TuningResult;
import io.ascribe.ledger.ai.TuningSpec;
import io.ascribe.ledger.ai.WorkShare;
import java.util.List;
import java.util.Locale;

/**
 * The JSON shapes of tuning jobs, adapters, capabilities and fee attributions in the RPC: ids,
 * hashes and addresses as 0x hex, whole numbers and wei as hex quantities, and the chain's
 * fixed-point figures (learning rate, losses, ROUGE-L, influence) as exact decimal strings.
 */
public final class JobJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private JobJson() {}

  /** Lower case, as every enum shows in the RPC: {@code assigned}, {@code accept}, ... */
  static String label(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  public static ObjectNode job(TuningJob j) {
    ObjectNode out = F.objectNode();
    out.put("id", j.id().toHex());
    out.put("submitter", j.submitter().toString());
    TuningSpec spec = j.spec();
    out.put("baseModel", spec.baseModel().toHex());
    out.put("datanet", spec.datanet().toHex());
    out.put("method", spec.method().label());
    TuningSpec.Hyperparameters h = spec.hyperparameters();
    out.putObject("hyperparameters")
        .put("rank", Quantities.toHex(h.rank()))
        .put("alpha", Quantities.toHex(h.alpha()))
        .put("learningRate", DecimalE9.format(h.learningRateE9()))
        .put("epochs", Quantities.toHex(h.epochs()))
        .put("batchSize", Quantities.toHex(h.batchSize()));
    out.put("seed", Quantities.toHex(spec.seed()));
    out.put("evalSplitBps", Quantities.toHex(spec.evalBps()));
    out.put("escrow", Quantities.toHex(j.escrow()));
    out.put("submittedHeight", Quantities.toHex(j.submittedHeight()));
    out.put("deadline", Quantities.toHex(spec.deadline()));
    out.put("status", label(j.status()));
    out.put("executor", j.executor().toString());
    ArrayNode verifiers = out.putArray("verifiers");
    j.verifiers().forEach(v -> verifiers.add(v.toString()));
    j.result().ifPresentOrElse(r -> out.set("result", result(r)), () -> out.putNull("result"));
    out.set("attestations", attestations(j.attestations()));
    out.put("acceptedHeight", j.acceptedHeight() > 0 ? Quantities.toHex(j.acceptedHeight()) : null);
    j.dispute()
        .ifPresentOrElse(
            d -> {
              ObjectNode dispute = out.putObject("dispute");
              dispute.put("challenger", d.challenger().map(Object::toString).orElse(null));
              dispute.put("height", Quantities.toHex(d.height()));
              dispute.set("votes", attestations(d.votes()));
            },
            () -> out.putNull("dispute"));
    j.settlement()
        .ifPresentOrElse(
            s -> out.set("settlement", settlement(s)), () -> out.putNull("settlement"));
    return out;
  }

  private static ObjectNode result(TuningResult r) {
    ObjectNode out = F.objectNode();
    out.put("adapterHash", r.adapterHash().toHex());
    out.put("finalLoss", DecimalE9.format(r.finalLossE9()));
    metrics(out, r.eval());
    ArrayNode influence = out.putArray("influence");
    r.influence()
        .forEach(
            (id, score) ->
                influence
                    .addObject()
                    .put("contribution", id.toHex())
                    .put("score", DecimalE9.format(score)));
    out.put("height", Quantities.toHex(r.height()));
    return out;
  }

  private static void metrics(ObjectNode out, EvalMetrics m) {
    out.put("evalLoss", DecimalE9.format(m.evalLossE9()));
    out.put("rougeL", DecimalE9.format(m.rougeLE9()));
  }

  private static ArrayNode attestations(List<Attestation> attestations) {
    ArrayNode out = F.arrayNode();
    for (Attestation a : attestations) {
      ObjectNode json = out.addObject();
      json.put("verifier", a.verifier().toString());
      json.put("verdict", label(a.verdict()));
      a.recomputed()
          .ifPresentOrElse(
              m -> metrics(json.putObject("recomputed"), m), () -> json.putNull("recomputed"));
      json.put("height", Quantities.toHex(a.height()));
      json.put("weight", Quantities.toHex(a.weight()));
    }
    return out;
  }

  private static ObjectNode settlement(JobSettlement s) {
    ObjectNode out = F.objectNode();
    out.put("height", Quantities.toHex(s.height()));
    out.set("shares", shares(s.shares()));
    out.put("burned", Quantities.toHex(s.burned()));
    out.put("refunded", Quantities.toHex(s.refunded()));
    ArrayNode slashed = out.putArray("slashed");
    s.slashed()
        .forEach(
            (account, amount) ->
                slashed
                    .addObject()
                    .put("account", account.toString())
                    .put("amount", Quantities.toHex(amount)));
    return out;
  }

  private static ArrayNode shares(List<WorkShare> shares) {
    ArrayNode out = F.arrayNode();
    shares.forEach(s -> out.add(share(s)));
    return out;
  }

  private static ObjectNode share(WorkShare s) {
    return F.objectNode()
        .put("account", s.account().toString())
        .put("role", s.role().label())
        .put("amount", Quantities.toHex(s.amount()));
  }

  public static ObjectNode adapter(Adapter a) {
    ObjectNode out = F.objectNode();
    out.put("id", a.id().toHex());
    out.put("job", a.job().toHex());
    out.put("baseModel", a.baseModel().toHex());
    out.put("datanet", a.datanet().toHex());
    out.put("adapterHash", a.adapterHash().toHex());
    out.put("fineTuner", a.fineTuner().toString());
    out.put("method", a.method().label());
    out.put("height", Quantities.toHex(a.height()));
    return out;
  }

  public static ObjectNode capability(Capability c) {
    ObjectNode out = F.objectNode();
    out.put("account", c.account().toString());
    out.put("bond", Quantities.toHex(c.bond()));
    out.put("openJobs", Quantities.toHex(c.openJobs()));
    out.put("status", label(c.status()));
    out.put("height", Quantities.toHex(c.height()));
    return out;
  }

  /**
   * A settled fee's attribution, without its subject: the caller names it ({@code job}, or a
   * receipt's {@code receipt}).
   */
  public static ObjectNode attribution(FeeAttribution a) {
    ObjectNode out = F.objectNode();
    out.put("payer", a.payer().toString());
    out.put("fee", Quantities.toHex(a.fee()));
    out.put("height", Quantities.toHex(a.height()));
    ArrayNode shares = out.putArray("shares");
    for (FeeAttribution.Share s : a.shares()) {
      ObjectNode json = share(s.share());
      if (!s.sources().isEmpty()) {
        ArrayNode sources = json.putArray("contributions");
        s.sources()
            .forEach(
                (id, score) ->
                    sources
                        .addObject()
                        .put("id", id.toHex())
                        .put("score", DecimalE9.format(score)));
      }
      shares.add(json);
    }
    out.put("burned", Quantities.toHex(a.burned()));
    out.put("refunded", Quantities.toHex(a.refunded()));
    out.set("slashed", shares(a.slashed()));
    return out;
  }
}
