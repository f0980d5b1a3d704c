package io.ascribe.ledger.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TuningJobTest {
  private static Hash hash(int n) {
    return Keccak.hash(new byte[] {(byte) n});
  }

  private static Address address(int n) {
    byte[] raw = new byte[20];
    raw[19] = (byte) n;
    return Address.wrap(raw);
  }

  @Test
  void aQuorumIsAStrictMajorityOfTheVerifiers() {
    assertThat(TuningJob.quorum(1)).isEqualTo(1);
    assertThat(TuningJob.quorum(2)).isEqualTo(2);
    assertThat(TuningJob.quorum(3)).isEqualTo(2);
    assertThat(TuningJob.quorum(4)).isEqualTo(3);
    assertThat(TuningJob.quorum(5)).isEqualTo(3);
    for (int n = 1; n <= 64; n++) {
      assertThat(2 * TuningJob.quorum(n)).isGreaterThan(n);
      assertThat(2 * (TuningJob.quorum(n) - 1)).isLessThanOrEqualTo(n);
    }
  }

  @Test
  void aJobWithEverythingFilledInSurvivesItsEncoding() {
    TuningSpec spec =
        new TuningSpec(
            hash(1),
            hash(2),
            TuningSpec.Method.QLORA_NF4,
            new TuningSpec.Hyperparameters(16, 32, 100_000, 3, 8),
            99,
            1_500,
            120);
    EvalMetrics figures = new EvalMetrics(1_100_000_000L, 510_000_000L);
    Attestation accept =
        new Attestation(
            address(3), Attestation.Verdict.ACCEPT, Optional.empty(), 50, BigInteger.ZERO);
    Attestation reject =
        new Attestation(
            address(4), Attestation.Verdict.REJECT, Optional.of(figures), 51, BigInteger.TEN);
    TuningJob job =
        TuningJob.assigned(
                hash(9),
                address(1),
                spec,
                BigInteger.valueOf(700),
                40,
                address(2),
                List.of(address(3), address(4)))
            .posted(
                new TuningResult(
                    hash(5), 900, figures, new TreeMap<>(Map.of(hash(6), -4L, hash(7), 12L)), 45))
            .attested(accept)
            .attested(reject.withWeight(BigInteger.ZERO))
            .disputed(new TuningJob.Dispute(Optional.empty(), 60, List.of(accept, reject)))
            .voted(
                new Attestation(
                    address(5),
                    Attestation.Verdict.REJECT,
                    Optional.of(figures),
                    61,
                    BigInteger.TWO))
            .settled(
                TuningJob.Status.REJECTED,
                new JobSettlement(
                    62,
                    List.of(),
                    BigInteger.ZERO,
                    BigInteger.valueOf(700),
                    Map.of(
                        address(2), BigInteger.valueOf(500), address(3), BigInteger.valueOf(500))));

    assertThat(LedgerObject.decode(job.encode())).isEqualTo(job);
    assertThat(job.boundAccounts()).containsExactly(address(2), address(3), address(4), address(5));
    assertThat(job.dispute().orElseThrow().weight(Attestation.Verdict.REJECT))
        .isEqualTo(BigInteger.valueOf(12));
    TuningJob accepted =
        TuningJob.assigned(
                hash(8), address(1), spec, BigInteger.ONE, 1, address(2), List.of(address(3)))
            .accepted(7);
    assertThat(LedgerObject.decode(accepted.encode())).isEqualTo(accepted);
    assertThatThrownBy(() -> accepted.settled(TuningJob.Status.POSTED, null))
        .hasMessage("POSTED is not an end of a job");
  }

  @Test
  void aFinalSettlementKeepsEachAccountsSharePerRole() {
    TuningSpec spec =
        new TuningSpec(
            hash(1),
            hash(2),
            TuningSpec.Method.LORA,
            new TuningSpec.Hyperparameters(8, 16, 200_000, 2, 4),
            7,
            2_000,
            30);
    JobSettlement settlement =
        new JobSettlement(
            40,
            List.of(
                new WorkShare(address(2), WorkRole.VALIDATOR, BigInteger.valueOf(70)),
                new WorkShare(address(6), WorkRole.CONTRIBUTOR, BigInteger.valueOf(280)),
                new WorkShare(address(2), WorkRole.EXECUTOR, BigInteger.valueOf(105))),
            BigInteger.valueOf(245),
            BigInteger.ZERO,
            Map.of());
    TuningJob job =
        TuningJob.assigned(
                hash(9),
                address(1),
                spec,
                BigInteger.valueOf(700),
                20,
                address(2),
                List.of(address(3)))
            .settled(TuningJob.Status.FINAL, settlement);

    assertThat(LedgerObject.decode(job.encode())).isEqualTo(job);
    assertThat(settlement.shares())
        .extracting(WorkShare::role)
        .containsExactly(WorkRole.CONTRIBUTOR, WorkRole.EXECUTOR, WorkRole.VALIDATOR);
    assertThat(settlement.credits())
        .containsExactly(
            Map.entry(address(2), BigInteger.valueOf(175)),
            Map.entry(address(6), BigInteger.valueOf(280)));
  }

  @Test
  void adaptersAndCapabilitiesSurviveTheirEncodingUnderTheirOwnKeys() {
    Adapter adapter =
        new Adapter(
            Adapter.idOf(hash(1)),
            hash(1),
            hash(2),
            hash(3),
            hash(4),
            address(5),
            TuningSpec.Method.PTUNING,
            77);
    Capability capability =
        new Capability(address(6), BigInteger.valueOf(1_000), 3, Capability.Status.RETIRING, 12);
    assertThat(LedgerObject.decode(adapter.encode())).isEqualTo(adapter);
    assertThat(LedgerObject.decode(capability.encode())).isEqualTo(capability);
    assertThat(adapter.key())
        .isNotEqualTo(TuningJob.key(hash(1)))
        .isNotEqualTo(Adapter.key(hash(1)));
    assertThat(Capability.key(address(6))).isNotEqualTo(RewardAccount.key(address(6)));
  }
}
