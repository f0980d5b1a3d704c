package io.ascribe.ledger.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.types.Address;
import io.ascribe.genesis.AiParams.WorkFeeSplit;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WorkFeeSplitterTest {
  private static final WorkFeeSplit SPLIT =
      new WorkFeeSplit(4_000, 1_500, 1_500, 1_000, 1_000, 1_000);
  private static final WorkFeeSplitter SPLITTER = new WorkFeeSplitter(SPLIT);
  private static final Address C1 = address(1);
  private static final Address C2 = address(2);
  private static final Address TUNER = address(3);
  private static final Address EXEC = address(4);
  private static final Address V1 = address(5);
  private static final Address V2 = address(6);
  private static final Address VAL = address(7);
  private static final ValidatorSet VALIDATORS =
      new ValidatorSet(List.of(new ValidatorSet.Validator(VAL, BigInteger.TEN)));

  @Test
  void everyPartyGetsItsShareAndContributorsSharePositiveScoresProRata() {
    WorkFeeSplitter.Payout payout =
        SPLITTER.split(
            BigInteger.valueOf(10_000),
            new WorkFeeSplitter.Parties(
                Map.of(
                    C1,
                    BigInteger.valueOf(3),
                    C2,
                    BigInteger.ONE,
                    address(9),
                    BigInteger.valueOf(-5)),
                Optional.of(TUNER),
                Optional.of(EXEC),
                List.of(V1, V2),
                VALIDATORS));
    assertThat(payout.credits())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                C1, BigInteger.valueOf(3_000),
                C2, BigInteger.valueOf(1_000),
                TUNER, BigInteger.valueOf(1_500),
                EXEC, BigInteger.valueOf(1_500),
                V1, BigInteger.valueOf(500),
                V2, BigInteger.valueOf(500),
                VAL, BigInteger.valueOf(1_000)));
    assertThat(payout.burned()).isEqualTo(BigInteger.valueOf(1_000));
  }

  @Test
  void sharesWithNobodyToReceiveThemAreBurnedNotReturned() {
    WorkFeeSplitter.Payout payout =
        SPLITTER.split(
            BigInteger.valueOf(10_000),
            new WorkFeeSplitter.Parties(
                Map.of(C1, BigInteger.ZERO),
                Optional.empty(),
                Optional.of(EXEC),
                List.of(),
                VALIDATORS));
    assertThat(payout.credits())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(EXEC, BigInteger.valueOf(1_500), VAL, BigInteger.valueOf(1_000)));
    assertThat(payout.burned()).isEqualTo(BigInteger.valueOf(7_500));
  }

  @Test
  void anAccountInTwoRolesIsPaidForEachApart() {
    // Every executor is a validator too: its two shares are kept and shown apart.
    ValidatorSet validators =
        new ValidatorSet(
            List.of(
                new ValidatorSet.Validator(EXEC, BigInteger.valueOf(3)),
                new ValidatorSet.Validator(VAL, BigInteger.ONE)));
    WorkFeeSplitter.Payout payout =
        SPLITTER.split(
            BigInteger.valueOf(10_000),
            new WorkFeeSplitter.Parties(
                Map.of(C1, BigInteger.ONE),
                Optional.empty(),
                Optional.of(EXEC),
                List.of(V1),
                validators));
    assertThat(payout.shares())
        .containsExactly(
            new WorkShare(C1, WorkRole.CONTRIBUTOR, BigInteger.valueOf(4_000)),
            new WorkShare(EXEC, WorkRole.EXECUTOR, BigInteger.valueOf(1_500)),
            new WorkShare(V1, WorkRole.VERIFIER, BigInteger.valueOf(1_000)),
            new WorkShare(EXEC, WorkRole.VALIDATOR, BigInteger.valueOf(750)),
            new WorkShare(VAL, WorkRole.VALIDATOR, BigInteger.valueOf(250)));
    assertThat(payout.credits()).containsEntry(EXEC, BigInteger.valueOf(2_250));
    assertThat(payout.burned()).isEqualTo(BigInteger.valueOf(2_500));
  }

  @Test
  void payoutPlusBurnIsAlwaysExactlyTheFee() {
    SplittableRandom random = new SplittableRandom(7);
    for (int run = 0; run < 1_000; run++) {
      BigInteger fee =
          BigInteger.valueOf(random.nextLong(0, Long.MAX_VALUE))
              .multiply(BigInteger.valueOf(run + 1));
      Map<Address, BigInteger> weights =
          Map.of(
              C1, BigInteger.valueOf(random.nextLong(-10, 1_000_000)),
              C2, BigInteger.valueOf(random.nextLong(0, 3)));
      WorkFeeSplitter.Payout payout =
          SPLITTER.split(
              fee,
              new WorkFeeSplitter.Parties(
                  weights, Optional.of(TUNER), Optional.of(EXEC), List.of(V1, V2, V1), VALIDATORS));
      assertThat(payout.total()).isEqualTo(fee);
      assertThat(payout.burned()).isGreaterThanOrEqualTo(fee.divide(BigInteger.TEN));
      assertThat(payout.credits().values()).allMatch(v -> v.signum() > 0);
    }
  }

  private static Address address(int n) {
    byte[] bytes = new byte[Address.SIZE];
    bytes[19] = (byte) n;
    return Address.wrap(bytes);
  }
}
