package io.ascribe.ledger.ai;

import io.ascribe.core.types.Address;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which inference receipt batches a listing shows: those one executor posted, those in one status,
 * or both; an empty criterion matches every batch.
 */
public record BatchFilter(Optional<Address> executor, Optional<InferenceBatch.Status> status)
    implements Predicate<InferenceBatch> {

  /** Every batch. */
  public static final BatchFilter ALL = new BatchFilter(Optional.empty(), Optional.empty());

  @Override
  public boolean test(InferenceBatch batch) {
    return executor.map(batch.executor()::equals).orElse(true)
        && status.map(s -> s == batch.status()).orElse(true);
  }
}
