package io.ascribe.ledger.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FeeAttributionTest {
  private static final Address SUBMITTER = address(1);
  private static final Address EXECUTOR = address(2);
  private static final Address VERIFIER = address(3);
  private static final Address OTHER_VERIFIER = address(4);
  private static final Address VOTER = address(5);
  private static final Address CONTRIBUTOR = address(6);
  private static final Address OTHER_CONTRIBUTOR = address(7);
  private static final Hash A = hash(10);
  private static final Hash B = hash(11);
  private static final Hash C = hash(12);
  private static final Hash D = hash(13);
  private static final Map<Hash, Address> MADE_BY =
      Map.of(A, CONTRIBUTOR, B, CONTRIBUTOR, C, OTHER_CONTRIBUTOR, D, OTHER_CONTRIBUTOR);

  private static Hash hash(int n) {
    return Keccak.hash(new byte[] {(byte) n});
  }

  private static Address address(int n) {
    byte[] raw = new byte[20];
    raw[19] = (byte) n;
    return Address.wrap(raw);
  }

  private static BigInteger wei(long n) {
    return BigInteger.valueOf(n);
  }

  private static TuningJob assigned() {
    return TuningJob.assigned(
        hash(9),
        SUBMITTER,
        new TuningSpec(
            hash(1),
            hash(2),
            TuningSpec.Method.LORA,
            new TuningSpec.Hyperparameters(8, 16, 200_000, 2, 4),
            7,
            2_000,
            30),
        wei(1_000),
        20,
        EXECUTOR,
        List.of(VERIFIER, OTHER_VERIFIER));
  }

  @Test
  void anOpenJobHasNothingAttributedYet() {
    assertThat(FeeAttribution.of(assigned(), MADE_BY::get)).isEmpty();
  }

  @Test
  void aFinalJobsContributorsAreShownWithTheContributionsTheyWerePaidForAndTheSharesAddUp() {
    TuningResult result =
        new TuningResult(
            hash(3),
            900,
            new EvalMetrics(1, 2),
            new TreeMap<>(Map.of(A, 3L, B, -1L, C, 1L, D, 0L)),
            25);
    List<WorkShare> shares =
        List.of(
            new WorkShare(CONTRIBUTOR, WorkRole.CONTRIBUTOR, wei(300)),
            new WorkShare(OTHER_CONTRIBUTOR, WorkRole.CONTRIBUTOR, wei(100)),
            new WorkShare(EXECUTOR, WorkRole.EXECUTOR, wei(150)),
            new WorkShare(VERIFIER, WorkRole.VERIFIER, wei(50)),
            new WorkShare(OTHER_VERIFIER, WorkRole.VERIFIER, wei(50)),
            new WorkShare(EXECUTOR, WorkRole.VALIDATOR, wei(100)));
    TuningJob job =
        assigned()
            .posted(result)
            .settled(
                TuningJob.Status.FINAL,
                new JobSettlement(40, shares, wei(250), BigInteger.ZERO, Map.of()));

    FeeAttribution attribution = FeeAttribution.of(job, MADE_BY::get).orElseThrow();

    assertThat(attribution.payer()).isEqualTo(SUBMITTER);
    assertThat(attribution.height()).isEqualTo(40);
    assertThat(attribution.shares())
        .extracting(FeeAttribution.Share::share)
        .containsExactlyElementsOf(job.settlement().orElseThrow().shares());
    // Only positively scored contributions earned anything, each under its own contributor.
    assertThat(attribution.shares().get(0).sources()).containsExactly(Map.entry(A, 3L));
    assertThat(attribution.shares().get(1).sources()).containsExactly(Map.entry(C, 1L));
    assertThat(attribution.shares().get(2).sources()).isEmpty();
    BigInteger total =
        attribution.shares().stream()
            .map(s -> s.share().amount())
            .reduce(attribution.burned().add(attribution.refunded()), BigInteger::add);
    assertThat(total).isEqualTo(attribution.fee());
  }

  @Test
  void slashedAccountsAreShownInThePartTheyWereSlashedFor() {
    TuningJob job =
        assigned()
            .settled(
                TuningJob.Status.REJECTED,
                new JobSettlement(
                    41,
                    List.of(),
                    BigInteger.ZERO,
                    wei(1_000),
                    Map.of(EXECUTOR, wei(500), OTHER_VERIFIER, wei(100), VOTER, wei(500))));

    FeeAttribution attribution = FeeAttribution.of(job, MADE_BY::get).orElseThrow();

    assertThat(attribution.shares()).isEmpty();
    assertThat(attribution.refunded()).isEqualTo(attribution.fee());
    assertThat(attribution.slashed())
        .containsExactly(
            new WorkShare(EXECUTOR, WorkRole.EXECUTOR, wei(500)),
            new WorkShare(OTHER_VERIFIER, WorkRole.VERIFIER, wei(100)),
            new WorkShare(VOTER, WorkRole.VOTER, wei(500)));
  }
}
