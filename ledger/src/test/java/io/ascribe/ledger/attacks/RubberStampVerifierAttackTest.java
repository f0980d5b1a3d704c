package io.ascribe.ledger.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.types.Address;
import io.ascribe.ledger.ai.JobSettlement;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.attacks.TuningJobMarket.Role;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A verifier that accepts everything, colluding with an executor that posts made-up results.
 *
 * <p>Where the honest verifiers are the majority of a panel (three verifiers, one of them the
 * rubber stamp), they reject the fake by quorum at once: the fake executor is slashed, and so is
 * the rubber stamp, which accepted it; it earns nothing from the job, and stamping costs it more
 * than the checking it saves would have earned. Where the ring holds a quorum of the panel (three
 * colluders among ten validators of equal stake, three verifiers per job, the executor faking only
 * when two of its verifiers are in the ring), the fake is accepted, but payment waits out the
 * challenge window: an honest validator challenges, the capable validators vote by stake, and the
 * ring, under a third of it, loses. Every colluder that accepted is slashed; nothing is paid.
 *
 * <p>What this rests on, as consensus does: the colluders hold less than half of the stake that
 * votes in a dispute (under a third of all stake, for consensus's own sake), and at least one
 * honest capable validator re-executes accepted results within the challenge window. A ring with
 * more than half of the voting stake could pass a fake, as it could finalise any block.
 */
class RubberStampVerifierAttackTest {
  @TempDir Path dir;

  @Test
  void anHonestMajorityRejectsTheFakeAndSlashesTheRubberStampThatAcceptedIt() {
    TuningJobMarket.Setup setup =
        new TuningJobMarket.Setup(
            10, 3, Map.of(2, Role.FAKE_EXECUTOR, 5, Role.RUBBER_STAMP), 150, 7);
    TuningJobMarket.Run attack = TuningJobMarket.run(dir.resolve("attack"), setup, true);
    TuningJobMarket.Run honest = TuningJobMarket.run(dir.resolve("honest"), setup, false);
    Address fakeExecutor = attack.attackers().get(0);
    Address rubberStamp = attack.attackers().get(1);
    List<Address> ring = attack.attackers();
    AttackTable.Row row =
        TuningJobMarket.row("rubber stamp + fake executor, honest majority", attack, honest, ring);
    AttackTable.Row stamp =
        TuningJobMarket.row("  of which the rubber stamp", attack, honest, List.of(rubberStamp));
    System.out.println(
        AttackTable.render(
            "Rubber-stamp verifier with a fake executor, 10 validators, 3 verifiers, 150 jobs",
            List.of(row, stamp)));

    assertThat(attack.fakeJobs()).isNotEmpty();
    long stamped = 0;
    long stampSlashed = 0;
    long executorSlashed = 0;
    for (TuningJob fake : attack.fakeJobs()) {
      assertThat(fake.status()).isEqualTo(TuningJob.Status.REJECTED);
      JobSettlement settlement = fake.settlement().orElseThrow();
      assertThat(settlement.credits()).doesNotContainKeys(fakeExecutor, rubberStamp);
      if (fake.attestationBy(rubberStamp).isPresent()) {
        stamped++;
      }
      // Each slash is capped at the bond left: two fakes rejected in one block can spend it all
      // before the attacker tops it up, and the next finds nothing (docs/adr/004, known gaps).
      stampSlashed += settlement.slashed().containsKey(rubberStamp) ? 1 : 0;
      executorSlashed += settlement.slashed().containsKey(fakeExecutor) ? 1 : 0;
    }
    assertThat(stamped).as("fakes the rubber stamp accepted").isPositive();
    assertThat(stampSlashed).as("fakes the rubber stamp was slashed for").isPositive();
    assertThat(executorSlashed).as("fakes the executor was slashed for").isPositive();
    assertThat(attack.jobsFinal()).isEqualTo(setup.jobs());
    assertThat(row.vsHonest()).as("the ring's net against playing honest").isNegative();
    assertThat(stamp.net()).as("the rubber stamp's own net").isNegative();
    assertThat(stamp.vsHonest()).as("the rubber stamp's net against checking").isNegative();
    assertThat(row.honestLossPct()).isLessThanOrEqualTo(10.0);
  }

  @Test
  void aRingHoldingAQuorumIsAcceptedThenCaughtByAChallengeAndPaysForIt() {
    TuningJobMarket.Setup setup =
        new TuningJobMarket.Setup(
            10, 3, Map.of(1, Role.COLLUDER, 4, Role.COLLUDER, 8, Role.COLLUDER), 300, 3);
    TuningJobMarket.Run attack = TuningJobMarket.run(dir.resolve("attack"), setup, true);
    TuningJobMarket.Run honest = TuningJobMarket.run(dir.resolve("honest"), setup, false);
    List<Address> ring = attack.attackers();
    AttackTable.Row row =
        TuningJobMarket.row(
            "colluding quorum (3 of 10), caught by challenge", attack, honest, ring);
    System.out.println(
        AttackTable.render(
            "Colluding verifier quorum, 10 validators, 3 verifiers, 300 jobs", List.of(row)));

    assertThat(attack.fakeJobs()).as("fakes the ring dared").isNotEmpty();
    for (TuningJob fake : attack.fakeJobs()) {
      // Accepted by the ring's quorum, then overturned in the dispute a challenge opened.
      assertThat(fake.acceptedHeight()).isPositive();
      assertThat(fake.dispute().orElseThrow().challenger()).isPresent();
      assertThat(fake.status()).isEqualTo(TuningJob.Status.REJECTED);
      assertThat(fake.settlement().orElseThrow().credits()).isEmpty();
      assertThat(fake.settlement().orElseThrow().slashed()).containsKey(fake.executor());
      for (Address verifier : fake.verifiers()) {
        if (ring.contains(verifier)) {
          assertThat(fake.settlement().orElseThrow().slashed()).containsKey(verifier);
        }
      }
    }
    assertThat(attack.jobsFinal()).isEqualTo(setup.jobs());
    assertThat(row.vsHonest()).as("the ring's net against playing honest").isNegative();
    assertThat(row.honestLossPct()).isLessThanOrEqualTo(10.0);
  }
}
