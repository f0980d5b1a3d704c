package io.ascribe.node.executor;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.TuningJob;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Decides, from the ledger alone, which AI work a node owes the chain at a height: the assigned
 * jobs it still has to run and post before their deadline, and the posted results it was drawn to
 * verify and has not attested yet within the attestation window. Pure: the service feeds it the
 * jobs and acts on the answer, so the rules are tested without a node.
 */
final class WorkPlanner {
  private WorkPlanner() {}

  /** One piece of work a node owes for a job. */
  sealed interface Work permits Tune, Verify {
    Hash job();
  }

  /** Run the job and post its result. */
  record Tune(Hash job) implements Work {}

  /** Re-check the job's posted result and attest. */
  record Verify(Hash job) implements Work {}

  /**
   * The work {@code self} owes at {@code height}, oldest job first, tuning before verifying.
   *
   * @param assigned jobs in status ASSIGNED whose executor is {@code self}
   * @param posted jobs in status POSTED
   * @param verifyWindowBlocks blocks past a job's deadline that its verifiers may attest in
   * @param done jobs whose work this node has already finished (posted or attested), by its journal
   */
  static List<Work> plan(
      Address self,
      long height,
      List<TuningJob> assigned,
      List<TuningJob> posted,
      long verifyWindowBlocks,
      Set<Hash> done) {
    List<Work> work = new ArrayList<>();
    assigned.stream()
        .filter(j -> j.status() == TuningJob.Status.ASSIGNED)
        .filter(j -> j.executor().equals(self))
        .filter(j -> height <= j.spec().deadline())
        .filter(j -> !done.contains(j.id()))
        .sorted(Comparator.comparingLong(TuningJob::submittedHeight).thenComparing(TuningJob::id))
        .forEach(j -> work.add(new Tune(j.id())));
    posted.stream()
        .filter(j -> j.status() == TuningJob.Status.POSTED)
        .filter(j -> j.verifiers().contains(self))
        .filter(j -> j.attestationBy(self).isEmpty())
        .filter(j -> height <= j.spec().deadline() + verifyWindowBlocks)
        .filter(j -> !done.contains(j.id()))
        .sorted(Comparator.comparingLong(TuningJob::submittedHeight).thenComparing(TuningJob::id))
        .forEach(j -> work.add(new Verify(j.id())));
    return List.copyOf(work);
  }
}
