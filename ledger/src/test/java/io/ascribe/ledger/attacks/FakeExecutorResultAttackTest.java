package io.ascribe.ledger.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.types.Address;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.attacks.TuningJobMarket.Role;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor that posts made-up results (an adapter hash it never trained, better metrics than it
 * measured, all influence to its own contributor accounts) on every job it is drawn for, and bonds
 * again after each slash to keep going. Ten validators of equal stake, two verifiers per job, 120
 * jobs: the honest verifiers reject every fake, each rejection burns half a bond, and the refunded
 * jobs are done again by someone else, so the attacker ends with less than it started with while
 * the honest contributors are paid as if it were not there.
 */
class FakeExecutorResultAttackTest {
  private static final TuningJobMarket.Setup SETUP =
      new TuningJobMarket.Setup(10, 2, Map.of(3, Role.FAKE_EXECUTOR), 120, 42);

  @TempDir Path dir;

  @Test
  void aFakeExecutorIsRejectedSlashedAndLosesMoney() {
    TuningJobMarket.Run attack = TuningJobMarket.run(dir.resolve("attack"), SETUP, true);
    TuningJobMarket.Run honest = TuningJobMarket.run(dir.resolve("honest"), SETUP, false);
    List<Address> attacker = attack.attackers();
    AttackTable.Row row =
        TuningJobMarket.row("fake executor results (tops its bond up)", attack, honest, attacker);
    System.out.println(
        AttackTable.render(
            "Fake executor results, 10 validators, 2 verifiers, 120 jobs", List.of(row)));

    assertThat(attack.fakeJobs()).isNotEmpty();
    for (TuningJob fake : attack.fakeJobs()) {
      assertThat(fake.status()).isEqualTo(TuningJob.Status.REJECTED);
      assertThat(fake.settlement().orElseThrow().slashed()).containsKey(fake.executor());
      assertThat(fake.settlement().orElseThrow().credits()).isEmpty();
    }
    assertThat(attack.jobsFinal()).isEqualTo(SETUP.jobs());
    assertThat(row.net()).as("the attacker's net OPEN").isNegative();
    assertThat(row.vsHonest()).as("the attacker's net against playing honest").isNegative();
    assertThat(row.honestLossPct())
        .as("the honest contributors' loss, percent")
        .isLessThanOrEqualTo(10.0);
    assertThat(honest.honestContributorRewards()).isPositive();
    assertThat(honest.fakeJobs()).isEmpty();
    assertThat(attack.net(attacker).add(BigInteger.ZERO)).isEqualTo(row.net());
  }
}
