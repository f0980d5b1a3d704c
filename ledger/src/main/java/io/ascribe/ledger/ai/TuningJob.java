package io.ascribe.ledger.ai;

import io.ascribe.core.proto.TuningJobStatus;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A tuning job through its life: what was asked ({@link TuningSpec}) and paid into escrow, the
 * executor and verifiers drawn for it, the posted result, the verifiers' attestations, a dispute if
 * there was one, and finally its {@link JobSettlement} (who earned what). See {@link Status} for
 * the order of its states and {@code docs/adr/004-tuning-jobs.md} for the rules between them.
 *
 * @param acceptedHeight when a quorum accepted the result (0 if it has not)
 */
public record TuningJob(
    Hash id,
    Address submitter,
    TuningSpec spec,
    BigInteger escrow,
    long submittedHeight,
    Address executor,
    List<Address> verifiers,
    Status status,
    Optional<TuningResult> result,
    List<Attestation> attestations,
    long acceptedHeight,
    Optional<Dispute> dispute,
    Optional<JobSettlement> settlement)
    implements LedgerObject {

  /** Where a job is; FINAL, REJECTED and EXPIRED are the ends. */
  public enum Status {
    /** Executor and verifiers drawn; waiting for the result until the deadline. */
    ASSIGNED,
    /** Result posted; waiting for a quorum of verifiers until the attestation window closes. */
    POSTED,
    /** A quorum accepted; open to a challenge until the challenge window closes. */
    ACCEPTED,
    /** Challenged, or the verifiers split: the capable validators vote. */
    DISPUTED,
    /** The adapter is registered and the fee paid out. */
    FINAL,
    /** The result was found false: executor slashed, submitter refunded. */
    REJECTED,
    /** A deadline passed without a decision: submitter refunded. */
    EXPIRED;

    public boolean isOver() {
      return this == FINAL || this == REJECTED || this == EXPIRED;
    }
  }

  /**
   * A vote of the capable validators on a result.
   *
   * @param challenger who challenged an accepted result; empty when the verifiers' split opened it
   * @param height when it opened
   * @param votes every verdict counted, the assigned verifiers' first, each weighted by stake
   */
  public record Dispute(Optional<Address> challenger, long height, List<Attestation> votes) {
    public Dispute {
      votes = List.copyOf(votes);
    }

    /** Stake behind {@code verdict}. */
    public BigInteger weight(Attestation.Verdict verdict) {
      return votes.stream()
          .filter(v -> v.verdict() == verdict)
          .map(Attestation::weight)
          .reduce(BigInteger.ZERO, BigInteger::add);
    }

    public boolean hasVoted(Address voter) {
      return votes.stream().anyMatch(v -> v.verifier().equals(voter));
    }

    Dispute with(Attestation vote) {
      List<Attestation> more = new ArrayList<>(votes);
      more.add(vote);
      return new Dispute(challenger, height, more);
    }
  }

  public TuningJob {
    verifiers = List.copyOf(verifiers);
    attestations = List.copyOf(attestations);
  }

  /** A job just submitted and assigned. */
  public static TuningJob assigned(
      Hash id,
      Address submitter,
      TuningSpec spec,
      BigInteger escrow,
      long height,
      Address executor,
      List<Address> verifiers) {
    return new TuningJob(
        id,
        submitter,
        spec,
        escrow,
        height,
        executor,
        verifiers,
        Status.ASSIGNED,
        Optional.empty(),
        List.of(),
        0,
        Optional.empty(),
        Optional.empty());
  }

  public static Hash key(Hash id) {
    return StateTreeHashing.objectKey("tuning-job", id.toArray());
  }

  @Override
  public Hash key() {
    return key(id);
  }

  /** A strict majority of {@code verifiers}: 1 of 1, 2 of 2, 2 of 3, 3 of 4. */
  public static int quorum(int verifiers) {
    return verifiers / 2 + 1;
  }

  public int quorum() {
    return quorum(verifiers.size());
  }

  /** The assigned verifiers' attestations with {@code verdict}. */
  public long count(Attestation.Verdict verdict) {
    return attestations.stream().filter(a -> a.verdict() == verdict).count();
  }

  public Optional<Attestation> attestationBy(Address verifier) {
    return attestations.stream().filter(a -> a.verifier().equals(verifier)).findFirst();
  }

  /** Everyone whose capability bond this job holds until it is over: they may yet be slashed. */
  public Set<Address> boundAccounts() {
    Set<Address> bound = new LinkedHashSet<>();
    bound.add(executor);
    bound.addAll(verifiers);
    dispute.ifPresent(d -> d.votes().forEach(v -> bound.add(v.verifier())));
    return bound;
  }

  public TuningJob posted(TuningResult posted) {
    return next(
        Status.POSTED, Optional.of(posted), attestations, acceptedHeight, dispute, settlement);
  }

  public TuningJob attested(Attestation attestation) {
    List<Attestation> more = new ArrayList<>(attestations);
    more.add(attestation);
    return next(status, result, more, acceptedHeight, dispute, settlement);
  }

  public TuningJob accepted(long height) {
    return next(Status.ACCEPTED, result, attestations, height, dispute, settlement);
  }

  public TuningJob disputed(Dispute opened) {
    return next(
        Status.DISPUTED, result, attestations, acceptedHeight, Optional.of(opened), settlement);
  }

  /** The job with {@code vote} added to its dispute. */
  public TuningJob voted(Attestation vote) {
    return disputed(dispute.orElseThrow().with(vote));
  }

  /** The job at its end. */
  public TuningJob settled(Status end, JobSettlement how) {
    if (!end.isOver()) {
      throw new IllegalArgumentException(end + " is not an end of a job");
    }
    return next(end, result, attestations, acceptedHeight, dispute, Optional.of(how));
  }

  /** The same job (what was asked and who was drawn) in a later state. */
  private TuningJob next(
      Status newStatus,
      Optional<TuningResult> newResult,
      List<Attestation> newAttestations,
      long newAcceptedHeight,
      Optional<Dispute> newDispute,
      Optional<JobSettlement> newSettlement) {
    return new TuningJob(
        id,
        submitter,
        spec,
        escrow,
        submittedHeight,
        executor,
        verifiers,
        newStatus,
        newResult,
        newAttestations,
        newAcceptedHeight,
        newDispute,
        newSettlement);
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    io.ascribe.core.proto.TuningJob.Builder p =
        io.ascribe.core.proto.TuningJob.newBuilder()
            .setId(ProtoBytes.of(id))
            .setSubmitter(ProtoBytes.of(submitter))
            .setBaseModel(ProtoBytes.of(spec.baseModel()))
            .setDatanet(ProtoBytes.of(spec.datanet()))
            .setMethod(spec.method().toProto())
            .setHyperparameters(spec.hyperparameters().toProto())
            .setSeed(spec.seed())
            .setEvalBps(spec.evalBps())
            .setEscrow(ProtoBytes.of(escrow))
            .setSubmittedHeight(submittedHeight)
            .setDeadline(spec.deadline())
            .setExecutor(ProtoBytes.of(executor))
            .setStatus(toProto(status))
            .setAcceptedHeight(acceptedHeight);
    verifiers.forEach(v -> p.addVerifiers(ProtoBytes.of(v)));
    result.ifPresent(r -> p.setResult(r.toProto()));
    attestations.forEach(a -> p.addAttestations(a.toProto()));
    dispute.ifPresent(
        d -> {
          d.challenger().ifPresent(c -> p.setChallenger(ProtoBytes.of(c)));
          p.setDisputedHeight(d.height());
          d.votes().forEach(v -> p.addDisputeVotes(v.toProto()));
        });
    settlement.ifPresent(s -> p.setSettlement(s.toProto()));
    return io.ascribe.core.proto.LedgerObject.newBuilder().setTuningJob(p).build();
  }

  private static TuningJobStatus toProto(Status status) {
    return switch (status) {
      case ASSIGNED -> TuningJobStatus.TUNING_JOB_STATUS_ASSIGNED;
      case POSTED -> TuningJobStatus.TUNING_JOB_STATUS_POSTED;
      case ACCEPTED -> TuningJobStatus.TUNING_JOB_STATUS_ACCEPTED;
      case DISPUTED -> TuningJobStatus.TUNING_JOB_STATUS_DISPUTED;
      case FINAL -> TuningJobStatus.TUNING_JOB_STATUS_FINAL;
      case REJECTED -> TuningJobStatus.TUNING_JOB_STATUS_REJECTED;
      case EXPIRED -> TuningJobStatus.TUNING_JOB_STATUS_EXPIRED;
    };
  }

  static TuningJob fromProto(io.ascribe.core.proto.TuningJob p) {
    Status status =
        switch (p.getStatus()) {
          case TUNING_JOB_STATUS_ASSIGNED -> Status.ASSIGNED;
          case TUNING_JOB_STATUS_POSTED -> Status.POSTED;
          case TUNING_JOB_STATUS_ACCEPTED -> Status.ACCEPTED;
          case TUNING_JOB_STATUS_DISPUTED -> Status.DISPUTED;
          case TUNING_JOB_STATUS_FINAL -> Status.FINAL;
          case TUNING_JOB_STATUS_REJECTED -> Status.REJECTED;
          case TUNING_JOB_STATUS_EXPIRED -> Status.EXPIRED;
          case TUNING_JOB_STATUS_UNSPECIFIED, UNRECOGNIZED ->
              throw new IllegalArgumentException("tuning job has no status");
        };
    boolean disputed = p.getDisputedHeight() > 0;
    return new TuningJob(
        ProtoBytes.hash(p.getId()),
        ProtoBytes.address(p.getSubmitter()),
        new TuningSpec(
            ProtoBytes.hash(p.getBaseModel()),
            ProtoBytes.hash(p.getDatanet()),
            TuningSpec.Method.fromProto(p.getMethod()),
            TuningSpec.Hyperparameters.fromProto(p.getHyperparameters()),
            p.getSeed(),
            p.getEvalBps(),
            p.getDeadline()),
        ProtoBytes.amount(p.getEscrow(), "escrow"),
        p.getSubmittedHeight(),
        ProtoBytes.address(p.getExecutor()),
        p.getVerifiersList().stream().map(ProtoBytes::address).toList(),
        status,
        p.hasResult() ? Optional.of(TuningResult.fromProto(p.getResult())) : Optional.empty(),
        p.getAttestationsList().stream().map(Attestation::fromProto).toList(),
        p.getAcceptedHeight(),
        disputed
            ? Optional.of(
                new Dispute(
                    p.getChallenger().isEmpty()
                        ? Optional.empty()
                        : Optional.of(ProtoBytes.address(p.getChallenger())),
                    p.getDisputedHeight(),
                    p.getDisputeVotesList().stream().map(Attestation::fromProto).toList()))
            : Optional.empty(),
        p.hasSettlement()
            ? Optional.of(JobSettlement.fromProto(p.getSettlement()))
            : Optional.empty());
  }
}
