package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.Attestation;
import io.ascribe.ledger.ai.EvalMetrics;
import io.ascribe.ledger.ai.FeeAttribution;
import io.ascribe.ledger.ai.JobSettlement;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.TuningResult;
import io.ascribe.ledger.ai.TuningSpec;
import io.ascribe.ledger.ai.WorkRole;
import io.ascribe.ledger.ai.WorkShare;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What people following a job read: its state, one line per change, and its attribution. */
class JobLinesTest {
  private static final Address SUBMITTER = address(1);
  private static final Address EXECUTOR = address(2);
  private static final Address VERIFIER = address(3);
  private static final Address OTHER_VERIFIER = address(4);
  private static final Address CONTRIBUTOR = address(6);
  private static final Hash CONTRIBUTION = Keccak.hash(new byte[] {10});
  private static final Hash HURT = Keccak.hash(new byte[] {11});

  private static Address address(int n) {
    byte[] raw = new byte[20];
    raw[19] = (byte) n;
    return Address.wrap(raw);
  }

  private static BigInteger open(long n) {
    return Amount.ONE_OPEN.multiply(BigInteger.valueOf(n));
  }

  private static TuningJob assigned() {
    return TuningJob.assigned(
        Keccak.hash(new byte[] {9}),
        SUBMITTER,
        new TuningSpec(
            Keccak.hash(new byte[] {1}),
            Keccak.hash(new byte[] {2}),
            TuningSpec.Method.LORA,
            new TuningSpec.Hyperparameters(8, 16, 200_000, 2, 4),
            7,
            2_000,
            30),
        open(10),
        20,
        EXECUTOR,
        List.of(VERIFIER, OTHER_VERIFIER));
  }

  private static TuningJob posted() {
    return assigned()
        .posted(
            new TuningResult(
                Keccak.hash(new byte[] {5}),
                900_000_000L,
                new EvalMetrics(1_250_000_000L, 420_000_000L),
                new TreeMap<>(Map.of(CONTRIBUTION, 3_000_000_000L, HURT, -500_000_000L)),
                25));
  }

  @Test
  void eachChangeBetweenTwoStatesIsOneLineInTheOrderItHappened() {
    TuningJob accepted =
        posted()
            .attested(
                new Attestation(
                    VERIFIER, Attestation.Verdict.ACCEPT, Optional.empty(), 26, BigInteger.ZERO))
            .attested(
                new Attestation(
                    OTHER_VERIFIER,
                    Attestation.Verdict.ACCEPT,
                    Optional.empty(),
                    26,
                    BigInteger.ZERO))
            .accepted(26);

    assertThat(JobLines.state(assigned()))
        .isEqualTo(
            "assigned to executor "
                + EXECUTOR
                + " (verifiers "
                + VERIFIER
                + ", "
                + OTHER_VERIFIER
                + "); result due by block 30");
    assertThat(JobLines.changes(assigned(), posted()))
        .containsExactly(
            "result posted by "
                + EXECUTOR
                + ": adapter "
                + Keccak.hash(new byte[] {5})
                + ", final loss 0.9, eval loss 1.25, ROUGE-L 0.42, 2 contributions scored");
    assertThat(JobLines.changes(posted(), accepted))
        .containsExactly(
            "verifier " + VERIFIER + " accepted",
            "verifier " + OTHER_VERIFIER + " accepted",
            "accepted by a quorum at block 26; final unless a capable validator challenges it");
    assertThat(JobLines.changes(accepted, accepted)).isEmpty();
  }

  @Test
  void aFinalJobsAttributionShowsEachRoleAndTheContributionsAContributorWasPaidFor() {
    JobSettlement settlement =
        new JobSettlement(
            40,
            List.of(
                new WorkShare(CONTRIBUTOR, WorkRole.CONTRIBUTOR, open(4)),
                new WorkShare(EXECUTOR, WorkRole.EXECUTOR, open(1)),
                new WorkShare(EXECUTOR, WorkRole.VALIDATOR, open(1)),
                new WorkShare(VERIFIER, WorkRole.VERIFIER, open(1))),
            open(3),
            BigInteger.ZERO,
            Map.of());
    TuningJob done = posted().settled(TuningJob.Status.FINAL, settlement);
    FeeAttribution attribution =
        FeeAttribution.of(done, Map.of(CONTRIBUTION, CONTRIBUTOR, HURT, CONTRIBUTOR)::get)
            .orElseThrow();

    assertThat(JobLines.attribution(done, attribution))
        .containsExactly(
            "job "
                + done.id()
                + ": final at block 40: 7 OPEN paid to 3 accounts, 3 OPEN burned; adapter "
                + Adapter.idOf(done.id())
                + " registered",
            "fee 10 OPEN paid by " + SUBMITTER,
            "  contributor  " + CONTRIBUTOR + "  4 OPEN",
            "               for contribution " + CONTRIBUTION + " (influence 3)",
            "  executor     " + EXECUTOR + "  1 OPEN",
            "  verifier     " + VERIFIER + "  1 OPEN",
            "  validator    " + EXECUTOR + "  1 OPEN",
            "  burned       3 OPEN",
            "  refunded     0 OPEN to " + SUBMITTER);
  }

  @Test
  void anEndWithSlashesNamesEachSlashedAccountInItsRole() {
    TuningJob rejected =
        posted()
            .settled(
                TuningJob.Status.REJECTED,
                new JobSettlement(
                    41,
                    List.of(),
                    BigInteger.ZERO,
                    open(10),
                    Map.of(EXECUTOR, open(500), OTHER_VERIFIER, open(100))));

    assertThat(JobLines.changes(posted(), rejected))
        .containsExactly(
            "rejected at block 41: 10 OPEN refunded to "
                + SUBMITTER
                + "; slashed executor "
                + EXECUTOR
                + " 500 OPEN, verifier "
                + OTHER_VERIFIER
                + " 100 OPEN");
  }
}
