package io.ascribe.node.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.Attestation;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.EvalMetrics;
import io.ascribe.ledger.ai.EvalSplit;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.TuningResult;
import io.ascribe.ledger.ai.TuningSpec;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WorkPlannerTest {
  private static final Address SELF = address(1);
  private static final Address OTHER = address(2);
  private static final Address THIRD = address(3);
  private static final Hash DATANET = Keccak.hash(new byte[] {9});
  private static final long WINDOW = 100;

  @Test
  void runsItsAssignedJobsUntilTheirDeadlineOldestFirst() {
    TuningJob later = assigned(2, 20, SELF, List.of(OTHER, THIRD), 500);
    TuningJob earlier = assigned(1, 10, SELF, List.of(OTHER, THIRD), 500);
    TuningJob past = assigned(3, 5, SELF, List.of(OTHER, THIRD), 99);
    TuningJob someoneElses = assigned(4, 5, OTHER, List.of(SELF, THIRD), 500);

    List<WorkPlanner.Work> work =
        WorkPlanner.plan(
            SELF, 100, List.of(later, earlier, past, someoneElses), List.of(), WINDOW, Set.of());

    assertThat(work)
        .containsExactly(new WorkPlanner.Tune(earlier.id()), new WorkPlanner.Tune(later.id()));
  }

  @Test
  void verifiesPostedResultsItWasDrawnForOnceWithinTheWindow() {
    TuningJob mine = posted(assigned(1, 10, OTHER, List.of(SELF, THIRD), 200));
    TuningJob notDrawn = posted(assigned(2, 10, OTHER, List.of(THIRD, address(4)), 200));
    TuningJob attested =
        posted(assigned(3, 10, OTHER, List.of(SELF, THIRD), 200))
            .attested(
                new Attestation(
                    SELF, Attestation.Verdict.ACCEPT, Optional.empty(), 150, BigInteger.ZERO));
    TuningJob windowClosed = posted(assigned(4, 10, OTHER, List.of(SELF, THIRD), 50));

    List<WorkPlanner.Work> work =
        WorkPlanner.plan(
            SELF,
            200,
            List.of(),
            List.of(mine, notDrawn, attested, windowClosed),
            WINDOW,
            Set.of());

    assertThat(work).containsExactly(new WorkPlanner.Verify(mine.id()));
  }

  @Test
  void workTheJournalShowsDoneIsNotRedone() {
    TuningJob run = assigned(1, 10, SELF, List.of(OTHER, THIRD), 500);
    TuningJob verify = posted(assigned(2, 10, OTHER, List.of(SELF, THIRD), 500));

    assertThat(
            WorkPlanner.plan(
                SELF, 100, List.of(run), List.of(verify), WINDOW, Set.of(run.id(), verify.id())))
        .isEmpty();
  }

  @Test
  void tuningComesBeforeVerifying() {
    TuningJob verify = posted(assigned(1, 1, OTHER, List.of(SELF, THIRD), 500));
    TuningJob run = assigned(2, 50, SELF, List.of(OTHER, THIRD), 500);

    assertThat(WorkPlanner.plan(SELF, 100, List.of(run), List.of(verify), WINDOW, Set.of()))
        .containsExactly(new WorkPlanner.Tune(run.id()), new WorkPlanner.Verify(verify.id()));
  }

  @Test
  void inputsAreTheJobsActiveContributionsUpToItsHeightSplitBySeed() {
    TuningJob job = assigned(1, 100, SELF, List.of(OTHER, THIRD), 500);
    List<Contribution> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(contribution(i, DATANET, 50, Contribution.Status.ACTIVE));
    }
    Contribution tooLate = contribution(1000, DATANET, 101, Contribution.Status.ACTIVE);
    Contribution withdrawn = contribution(1001, DATANET, 50, Contribution.Status.WITHDRAWN);
    Contribution elsewhere =
        contribution(1002, Keccak.hash(new byte[] {8}), 50, Contribution.Status.ACTIVE);
    List<Contribution> listed = new ArrayList<>(all);
    listed.addAll(List.of(tooLate, withdrawn, elsewhere));

    JobInputs inputs = JobInputs.split(listed, job);

    assertThat(inputs.train().size() + inputs.eval().size()).isEqualTo(200);
    assertThat(inputs.eval())
        .isNotEmpty()
        .allMatch(c -> EvalSplit.heldOut(job.spec().seed(), job.spec().evalBps(), c.id()));
    assertThat(inputs.train())
        .isNotEmpty()
        .noneMatch(c -> EvalSplit.heldOut(job.spec().seed(), job.spec().evalBps(), c.id()))
        .isSortedAccordingTo(java.util.Comparator.comparing(Contribution::id));
    assertThat(inputs.train()).doesNotContain(tooLate, withdrawn, elsewhere);
  }

  @Test
  void figuresAreKeptTimesTenToTheNineRoundedTowardZero() {
    assertThat(JobSpecs.e9(1.25)).isEqualTo(1_250_000_000L);
    assertThat(JobSpecs.e9(-0.0000000019)).isEqualTo(-1L);
    assertThat(JobSpecs.unsignedE9(-0.5)).isZero();
    assertThat(JobSpecs.e9(1e30)).isEqualTo(Long.MAX_VALUE);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobSpecs.e9(Double.NaN))
        .hasMessageContaining("NaN");
  }

  private static TuningJob assigned(
      int n, long height, Address executor, List<Address> verifiers, long deadline) {
    TuningSpec spec =
        new TuningSpec(
            Keccak.hash(new byte[] {7}),
            DATANET,
            TuningSpec.Method.LORA,
            new TuningSpec.Hyperparameters(8, 16, 200_000, 1, 4),
            42,
            2_000,
            deadline);
    return TuningJob.assigned(
        Keccak.hash(new byte[] {(byte) n, 1}),
        address(99),
        spec,
        BigInteger.TEN,
        height,
        executor,
        verifiers);
  }

  private static TuningJob posted(TuningJob job) {
    return job.posted(
        new TuningResult(
            Keccak.hash(new byte[] {5}),
            1_000_000_000L,
            new EvalMetrics(900_000_000L, 300_000_000L),
            new TreeMap<>(),
            job.submittedHeight() + 1));
  }

  private static Contribution contribution(
      int n, Hash datanet, long height, Contribution.Status status) {
    return new Contribution(
        Keccak.hash(new byte[] {(byte) (n >> 8), (byte) n, 2}),
        datanet,
        OTHER,
        Keccak.hash(new byte[] {(byte) (n >> 8), (byte) n, 3}),
        10,
        MinHash.ofText("text number " + n),
        BigInteger.ONE,
        height,
        status);
  }

  private static Address address(int n) {
    byte[] bytes = new byte[Address.SIZE];
    bytes[Address.SIZE - 1] = (byte) n;
    return Address.wrap(bytes);
  }
}
