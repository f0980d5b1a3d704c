package io.ascribe.node.cli;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.DecimalE9;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.Attestation;
import io.ascribe.ledger.ai.EvalMetrics;
import io.ascribe.ledger.ai.FeeAttribution;
import io.ascribe.ledger.ai.JobSettlement;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.TuningResult;
import io.ascribe.ledger.ai.WorkShare;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One-line descriptions of a tuning job for people following it: where it stands, and what changed
 * between two states of it (a result posted, a verifier's verdict, a dispute vote, its end), so
 * that {@code job status --watch} prints one line per change however many a block brings.
 */
final class JobLines {
  private JobLines() {}

  /** Where {@code job} stands, e.g. "assigned to executor 0x… (verifiers 0x…, 0x…); ...". */
  static String state(TuningJob job) {
    return switch (job.status()) {
      case ASSIGNED ->
          "assigned to executor "
              + job.executor()
              + " (verifiers "
              + join(job.verifiers())
              + "); result due by block "
              + job.spec().deadline();
      case POSTED ->
          "result posted by " + job.executor() + ": " + result(job.result().orElseThrow());
      case ACCEPTED ->
          (job.verifiers().isEmpty()
                  ? "accepted when posted (this chain asks no verifiers) at block "
                  : "accepted by a quorum at block ")
              + job.acceptedHeight()
              + "; final unless a capable validator challenges it";
      case DISPUTED ->
          "disputed ("
              + job.dispute()
                  .orElseThrow()
                  .challenger()
                  .map(c -> "challenged by " + c)
                  .orElse("the verifiers split")
              + "); the capable validators vote";
      case FINAL, REJECTED, EXPIRED -> end(job);
    };
  }

  /** What happened between {@code before} and {@code after}, in the order it happened. */
  static List<String> changes(TuningJob before, TuningJob after) {
    List<String> out = new ArrayList<>();
    for (Attestation a :
        after.attestations().subList(before.attestations().size(), after.attestations().size())) {
      out.add("verifier " + a.verifier() + " " + verdict(a));
    }
    int votesBefore = before.dispute().map(d -> d.votes().size()).orElse(0);
    if (after.dispute().isPresent() && before.dispute().isPresent()) {
      List<Attestation> votes = after.dispute().get().votes();
      for (Attestation v : votes.subList(votesBefore, votes.size())) {
        out.add(v.verifier() + " voted in the dispute: " + verdict(v));
      }
    }
    if (before.status() != after.status()) {
      out.add(state(after));
    }
    return out;
  }

  /**
   * Who earned what from {@code job}, one line each: its end, the fee and who paid it, each share
   * by role (a contributor's followed by the contributions it was paid for), the burn, the refund
   * and each slash.
   */
  static List<String> attribution(TuningJob job, FeeAttribution a) {
    List<String> out = new ArrayList<>();
    out.add("job " + job.id() + ": " + state(job));
    out.add("fee " + open(a.fee()) + " paid by " + a.payer());
    for (FeeAttribution.Share s : a.shares()) {
      out.add(
          String.format(
              "  %-12s %s  %s",
              s.share().role().label(), s.share().account(), open(s.share().amount())));
      s.sources()
          .forEach(
              (c, score) ->
                  out.add(
                      "               for contribution "
                          + c
                          + " (influence "
                          + DecimalE9.format(score)
                          + ")"));
    }
    out.add(String.format("  %-12s %s", "burned", open(a.burned())));
    out.add(String.format("  %-12s %s to %s", "refunded", open(a.refunded()), a.payer()));
    for (WorkShare slash : a.slashed()) {
      out.add(
          String.format(
              "  slashed      %s %s  %s from its bond (burned)",
              slash.role().label(), slash.account(), open(slash.amount())));
    }
    return out;
  }

  /** E.g. "adapter 0x…, final loss 0.9, eval loss 1.25, ROUGE-L 0.42, 5 contributions scored". */
  static String result(TuningResult r) {
    return "adapter "
        + r.adapterHash()
        + ", final loss "
        + DecimalE9.format(r.finalLossE9())
        + ", "
        + metrics(r.eval())
        + ", "
        + r.influence().size()
        + (r.influence().size() == 1 ? " contribution" : " contributions")
        + " scored";
  }

  static String verdict(Attestation a) {
    return switch (a.verdict()) {
      case ACCEPT -> "accepted";
      case REJECT ->
          "rejected" + a.recomputed().map(m -> " (recomputed " + metrics(m) + ")").orElse("");
    };
  }

  private static String metrics(EvalMetrics m) {
    return "eval loss "
        + DecimalE9.format(m.evalLossE9())
        + ", ROUGE-L "
        + DecimalE9.format(m.rougeLE9());
  }

  /** How an ended job settled, e.g. "expired at block 40: 10 OPEN refunded to 0x…; ...". */
  private static String end(TuningJob job) {
    JobSettlement s = job.settlement().orElseThrow();
    StringBuilder line =
        new StringBuilder(job.status().name().toLowerCase(java.util.Locale.ROOT))
            .append(" at block ")
            .append(s.height())
            .append(": ");
    if (job.status() == TuningJob.Status.FINAL) {
      BigInteger paid = s.credits().values().stream().reduce(BigInteger.ZERO, BigInteger::add);
      line.append(open(paid))
          .append(" paid to ")
          .append(s.credits().size())
          .append(s.credits().size() == 1 ? " account, " : " accounts, ")
          .append(open(s.burned()))
          .append(" burned; adapter ")
          .append(Adapter.idOf(job.id()))
          .append(" registered");
    } else {
      line.append(open(s.refunded())).append(" refunded to ").append(job.submitter());
    }
    if (!s.slashed().isEmpty()) {
      line.append("; slashed ")
          .append(
              s.slashed().entrySet().stream()
                  .map(
                      e ->
                          FeeAttribution.slashedAs(job, e.getKey()).label()
                              + " "
                              + e.getKey()
                              + " "
                              + open(e.getValue()))
                  .collect(Collectors.joining(", ")));
    }
    return line.toString();
  }

  static String open(BigInteger wei) {
    return Amount.formatOpen(wei) + " OPEN";
  }

  static String join(List<Address> addresses) {
    return addresses.stream().map(Address::toString).collect(Collectors.joining(", "));
  }
}
