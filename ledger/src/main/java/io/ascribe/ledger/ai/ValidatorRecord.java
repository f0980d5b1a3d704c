package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.DoubleSignStep;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What slashing knows of one validator key: the terms in which it was in the validator set, as far
 * back as evidence may still reach, and its punishment once it has one (a punished key is jailed
 * for good). A key whose membership never changed has no record: it is in the set now exactly if it
 * was at genesis, which {@link #implied} states.
 *
 * @param terms in height order; only the last may be open
 */
public record ValidatorRecord(Address validator, List<Term> terms, Optional<Punishment> punishment)
    implements LedgerObject {

  /** Heights {@code from} to {@code until} in the set, both included; {@code until} 0: still in. */
  public record Term(long from, long until) {
    public boolean open() {
      return until == 0;
    }

    public boolean covers(long height) {
      return height >= from && (open() || height <= until);
    }
  }

  /** The step of consensus that a validator signed twice. */
  public enum Step {
    PROPOSAL,
    PREVOTE,
    PRECOMMIT
  }

  /**
   * A double sign at ({@code height}, {@code round}, {@code step}), punished by slashing {@code
   * slashed} wei on the evidence {@code reporter} submitted, included at {@code evidenceHeight}.
   */
  public record Punishment(
      long height,
      int round,
      Step step,
      BigInteger slashed,
      Address reporter,
      BigInteger reporterReward,
      long evidenceHeight) {}

  public ValidatorRecord {
    terms = List.copyOf(terms);
  }

  public static Hash key(Address validator) {
    return StateTreeHashing.objectKey("validator", validator.toArray());
  }

  /**
   * The record of a key that has none yet: in the set since height 1 if {@code genesisMember}, else
   * never a validator.
   */
  public static ValidatorRecord implied(Address validator, boolean genesisMember) {
    return new ValidatorRecord(
        validator, genesisMember ? List.of(new Term(1, 0)) : List.of(), Optional.empty());
  }

  @Override
  public Hash key() {
    return key(validator);
  }

  /** Whether the key was in the validator set that signs block {@code height}. */
  public boolean wasValidatorAt(long height) {
    return terms.stream().anyMatch(t -> t.covers(height));
  }

  public boolean jailed() {
    return punishment.isPresent();
  }

  /** In the set from {@code height} on. */
  public ValidatorRecord joined(long height) {
    List<Term> next = new ArrayList<>(terms);
    next.add(new Term(height, 0));
    return new ValidatorRecord(validator, next, punishment);
  }

  /** Out of the set from {@code height} on: its open term ends at the block before. */
  public ValidatorRecord left(long height) {
    List<Term> next = new ArrayList<>(terms);
    if (!next.isEmpty() && next.getLast().open()) {
      next.set(next.size() - 1, new Term(next.getLast().from(), height - 1));
    }
    return new ValidatorRecord(validator, next, punishment);
  }

  public ValidatorRecord punished(Punishment p) {
    return new ValidatorRecord(validator, terms, Optional.of(p));
  }

  /** Without the terms that ended before {@code height}, which no evidence can reach any more. */
  public ValidatorRecord forgettingBefore(long height) {
    return new ValidatorRecord(
        validator,
        terms.stream().filter(t -> t.open() || t.until() >= height).toList(),
        punishment);
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    io.ascribe.core.proto.ValidatorRecord.Builder record =
        io.ascribe.core.proto.ValidatorRecord.newBuilder()
            .setValidator(ByteString.copyFrom(validator.toArray()));
    for (Term t : terms) {
      record.addTerms(
          io.ascribe.core.proto.ValidatorTerm.newBuilder()
              .setFromHeight(t.from())
              .setUntilHeight(t.until()));
    }
    punishment.ifPresent(
        p ->
            record.setPunishment(
                io.ascribe.core.proto.Punishment.newBuilder()
                    .setHeight(p.height())
                    .setRound(p.round())
                    .setStep(toProto(p.step()))
                    .setSlashed(ByteString.copyFrom(Amount.encode(p.slashed())))
                    .setReporter(ByteString.copyFrom(p.reporter().toArray()))
                    .setReporterReward(ByteString.copyFrom(Amount.encode(p.reporterReward())))
                    .setEvidenceHeight(p.evidenceHeight())));
    return io.ascribe.core.proto.LedgerObject.newBuilder().setValidatorRecord(record).build();
  }

  static ValidatorRecord fromProto(io.ascribe.core.proto.ValidatorRecord p) {
    List<Term> terms =
        p.getTermsList().stream()
            .map(t -> new Term(t.getFromHeight(), t.getUntilHeight()))
            .toList();
    Optional<Punishment> punishment = Optional.empty();
    if (p.hasPunishment()) {
      io.ascribe.core.proto.Punishment q = p.getPunishment();
      punishment =
          Optional.of(
              new Punishment(
                  q.getHeight(),
                  q.getRound(),
                  fromProto(q.getStep()),
                  Amount.decode(q.getSlashed().toByteArray(), "slashed"),
                  Address.wrap(q.getReporter().toByteArray()),
                  Amount.decode(q.getReporterReward().toByteArray(), "reporter reward"),
                  q.getEvidenceHeight()));
    }
    return new ValidatorRecord(Address.wrap(p.getValidator().toByteArray()), terms, punishment);
  }

  private static DoubleSignStep toProto(Step step) {
    return switch (step) {
      case PROPOSAL -> DoubleSignStep.DOUBLE_SIGN_STEP_PROPOSAL;
      case PREVOTE -> DoubleSignStep.DOUBLE_SIGN_STEP_PREVOTE;
      case PRECOMMIT -> DoubleSignStep.DOUBLE_SIGN_STEP_PRECOMMIT;
    };
  }

  private static Step fromProto(DoubleSignStep step) {
    return switch (step) {
      case DOUBLE_SIGN_STEP_PROPOSAL -> Step.PROPOSAL;
      case DOUBLE_SIGN_STEP_PREVOTE -> Step.PREVOTE;
      case DOUBLE_SIGN_STEP_PRECOMMIT -> Step.PRECOMMIT;
      case DOUBLE_SIGN_STEP_UNSPECIFIED, UNRECOGNIZED ->
          throw new IllegalArgumentException("punishment has no step");
    };
  }
}
