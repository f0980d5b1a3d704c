package io.ascribe.ledger.ai;

import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.util.Optional;

/**
 * One verdict on a job's result: an assigned verifier's attestation, or a vote in the job's
 * dispute, where it carries the voter's stake as its weight.
 *
 * @param verifier who attested
 * @param verdict accept or reject
 * @param recomputed the figures its own re-run measured (always there with a rejection)
 * @param height when it was included
 * @param weight in a dispute, the voter's validator stake when its vote was counted; zero otherwise
 */
public record Attestation(
    Address verifier,
    Verdict verdict,
    Optional<EvalMetrics> recomputed,
    long height,
    BigInteger weight) {

  /** Whether the result holds. */
  public enum Verdict {
    ACCEPT,
    REJECT;

    /**
     * @throws IllegalArgumentException for an unset verdict
     */
    public static Verdict fromProto(io.ascribe.core.proto.Verdict verdict) {
      return switch (verdict) {
        case VERDICT_ACCEPT -> ACCEPT;
        case VERDICT_REJECT -> REJECT;
        case VERDICT_UNSPECIFIED, UNRECOGNIZED ->
            throw new IllegalArgumentException("an attestation must accept or reject");
      };
    }

    io.ascribe.core.proto.Verdict toProto() {
      return this == ACCEPT
          ? io.ascribe.core.proto.Verdict.VERDICT_ACCEPT
          : io.ascribe.core.proto.Verdict.VERDICT_REJECT;
    }
  }

  /** The same verdict counted with {@code newWeight} (a panel verdict carried into a dispute). */
  public Attestation withWeight(BigInteger newWeight) {
    return new Attestation(verifier, verdict, recomputed, height, newWeight);
  }

  io.ascribe.core.proto.Attestation toProto() {
    io.ascribe.core.proto.Attestation.Builder p =
        io.ascribe.core.proto.Attestation.newBuilder()
            .setVerifier(ProtoBytes.of(verifier))
            .setVerdict(verdict.toProto())
            .setHeight(height)
            .setWeight(ProtoBytes.of(weight));
    recomputed.ifPresent(r -> p.setRecomputed(r.toProto()));
    return p.build();
  }

  static Attestation fromProto(io.ascribe.core.proto.Attestation p) {
    return new Attestation(
        ProtoBytes.address(p.getVerifier()),
        Verdict.fromProto(p.getVerdict()),
        p.hasRecomputed()
            ? Optional.of(EvalMetrics.fromProto(p.getRecomputed()))
            : Optional.empty(),
        p.getHeight(),
        ProtoBytes.amount(p.getWeight(), "attestation weight"));
  }
}
