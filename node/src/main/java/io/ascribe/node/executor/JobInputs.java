package io.ascribe.node.executor;

import io.ascribe.core.types.Hash;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.EvalSplit;
import io.ascribe.ledger.ai.TuningJob;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The contributions a tuning job trains and evaluates on, as the ledger's rules define them: the
 * job's datanet's contributions that are active and were added no later than the job, split by
 * {@link EvalSplit} under the job's seed. The executor and every verifier derive the same two lists
 * from the chain alone, each ordered by contribution id.
 */
record JobInputs(List<Contribution> train, List<Contribution> eval) {
  JobInputs {
    train = List.copyOf(train);
    eval = List.copyOf(eval);
  }

  static JobInputs of(Ledger ledger, TuningJob job) {
    Hash datanet = job.spec().datanet();
    return split(ledger.contributions(datanet, 0, ledger.contributionCount(datanet)).items(), job);
  }

  /** The split of {@code contributions} (a datanet's) for {@code job}. */
  static JobInputs split(List<Contribution> contributions, TuningJob job) {
    List<Contribution> train = new ArrayList<>();
    List<Contribution> eval = new ArrayList<>();
    contributions.stream()
        .filter(c -> c.datanet().equals(job.spec().datanet()))
        .filter(c -> c.status() == Contribution.Status.ACTIVE)
        .filter(c -> c.height() <= job.submittedHeight())
        .sorted(Comparator.comparing(Contribution::id))
        .forEach(
            c ->
                (EvalSplit.heldOut(job.spec().seed(), job.spec().evalBps(), c.id()) ? eval : train)
                    .add(c));
    return new JobInputs(train, eval);
  }
}
