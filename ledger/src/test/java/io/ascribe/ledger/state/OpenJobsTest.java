package io.ascribe.ledger.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenJobsTest {
  private static final Hash A = Keccak.hash(new byte[] {1});
  private static final Hash B = Keccak.hash(new byte[] {2});
  private static final Hash C = Keccak.hash(new byte[] {3});

  @Test
  void eachJobHasOneDeadlineAndTheDueOnesComeFirstInOrder() {
    OpenJobs jobs = OpenJobs.NONE.schedule(A, 10).schedule(B, 5).schedule(C, 10).schedule(A, 20);
    assertThat(jobs.deadlines())
        .containsExactly(
            new OpenJobs.Deadline(5, B),
            new OpenJobs.Deadline(10, C),
            new OpenJobs.Deadline(20, A));
    assertThat(jobs.due(4)).isEmpty();
    assertThat(jobs.due(10)).containsExactly(B, C);
    assertThat(jobs.unschedule(C).due(19)).containsExactly(B);
    Hash first = A.compareTo(B) < 0 ? A : B;
    Hash second = first == A ? B : A;
    assertThat(OpenJobs.NONE.schedule(second, 3).schedule(first, 3).due(3))
        .containsExactly(first, second);
  }

  @Test
  void theProtocolRecordKeepsEscrowAndDeadlines() {
    OpenJobs jobs = OpenJobs.NONE.escrow(BigInteger.valueOf(700)).schedule(A, 10).schedule(B, 5);
    SystemState system =
        new SystemState(
            new ValidatorSet(List.of()),
            List.of(),
            BigInteger.valueOf(1_000),
            BigInteger.ZERO,
            BigInteger.ZERO,
            BigInteger.ZERO,
            jobs,
            HeldPayouts.NONE,
            SystemState.BridgeTotals.NONE);
    assertThat(SystemState.fromBytes(system.toProto().toByteArray())).isEqualTo(system);
    assertThat(jobs.escrow(BigInteger.valueOf(-700)).escrow()).isZero();
  }
}
