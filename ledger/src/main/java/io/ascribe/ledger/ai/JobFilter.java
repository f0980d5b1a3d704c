package io.ascribe.ledger.ai;

import io.ascribe.core.types.Address;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which tuning jobs a listing shows: those of one submitter, one executor, in one status, or any
 * combination; an empty criterion matches every job.
 */
public record JobFilter(
    Optional<Address> submitter, Optional<Address> executor, Optional<TuningJob.Status> status)
    implements Predicate<TuningJob> {

  /** Every job. */
  public static final JobFilter ALL =
      new JobFilter(Optional.empty(), Optional.empty(), Optional.empty());

  @Override
  public boolean test(TuningJob job) {
    return submitter.map(job.submitter()::equals).orElse(true)
        && executor.map(job.executor()::equals).orElse(true)
        && status.map(s -> s == job.status()).orElse(true);
  }
}
