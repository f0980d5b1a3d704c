package io.ascribe.ledger.ai;

import java.util.Locale;

/**
 * The part an account played in a piece of AI work (a tuning job, an inference request): what it is
 * paid for by {@link WorkFeeSplitter}, or, for a {@link #VOTER}, only slashed for. One account can
 * play several parts in one piece of work (an executor is always a validator too), and each part is
 * paid and shown apart.
 */
public enum WorkRole {
  /** Its data shaped the result: paid pro rata to positive attribution. */
  CONTRIBUTOR,
  /** Paid for the adapter the work used. */
  FINE_TUNER,
  EXECUTOR,
  /** An assigned verifier of the result. */
  VERIFIER,
  /** A validator, paid pro rata to stake. */
  VALIDATOR,
  /** Voted in a dispute without being an assigned verifier: never paid, slashed if it lost. */
  VOTER;

  /** The name the RPC and the CLI show: {@code contributor}, {@code fineTuner}, ... */
  public String label() {
    return this == FINE_TUNER ? "fineTuner" : name().toLowerCase(Locale.ROOT);
  }

  io.ascribe.core.proto.WorkRole toProto() {
    return switch (this) {
      case CONTRIBUTOR -> io.ascribe.core.proto.WorkRole.WORK_ROLE_CONTRIBUTOR;
      case FINE_TUNER -> io.ascribe.core.proto.WorkRole.WORK_ROLE_FINE_TUNER;
      case EXECUTOR -> io.ascribe.core.proto.WorkRole.WORK_ROLE_EXECUTOR;
      case VERIFIER -> io.ascribe.core.proto.WorkRole.WORK_ROLE_VERIFIER;
      case VALIDATOR -> io.ascribe.core.proto.WorkRole.WORK_ROLE_VALIDATOR;
      case VOTER -> io.ascribe.core.proto.WorkRole.WORK_ROLE_VOTER;
    };
  }

  static WorkRole fromProto(io.ascribe.core.proto.WorkRole role) {
    return switch (role) {
      case WORK_ROLE_CONTRIBUTOR -> CONTRIBUTOR;
      case WORK_ROLE_FINE_TUNER -> FINE_TUNER;
      case WORK_ROLE_EXECUTOR -> EXECUTOR;
      case WORK_ROLE_VERIFIER -> VERIFIER;
      case WORK_ROLE_VALIDATOR -> VALIDATOR;
      case WORK_ROLE_VOTER -> VOTER;
      case WORK_ROLE_UNSPECIFIED, UNRECOGNIZED ->
          throw new IllegalArgumentException("a work share has no role");
    };
  }
}
