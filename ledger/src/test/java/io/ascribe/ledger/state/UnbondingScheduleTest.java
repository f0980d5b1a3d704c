package io.ascribe.ledger.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnbondingScheduleTest {
  private static Address account(int n) {
    byte[] raw = new byte[Address.SIZE];
    raw[19] = (byte) n;
    return Address.wrap(raw);
  }

  @Test
  void oneReleasePerAccountInHeightOrderAndOnlyTheDueFrontIsTaken() {
    UnbondingSchedule schedule =
        UnbondingSchedule.NONE
            .schedule(30, account(1))
            .schedule(20, account(2))
            .schedule(20, account(3))
            .schedule(40, account(1));
    assertThat(schedule.releases())
        .containsExactly(
            new UnbondingSchedule.Release(20, account(2)),
            new UnbondingSchedule.Release(20, account(3)),
            new UnbondingSchedule.Release(40, account(1)));
    assertThat(schedule.of(account(1))).contains(new UnbondingSchedule.Release(40, account(1)));
    assertThat(schedule.without(account(2)).of(account(2))).isEmpty();
    assertThat(schedule.without(account(9))).isSameAs(schedule);
    assertThat(schedule.due(19)).isEmpty();
    assertThat(schedule.due(39)).hasSize(2);
    assertThat(schedule.withoutDue(39).releases())
        .containsExactly(new UnbondingSchedule.Release(40, account(1)));
    assertThat(schedule.withoutDue(19)).isSameAs(schedule);
    assertThatThrownBy(
            () ->
                new UnbondingSchedule(
                    List.of(
                        new UnbondingSchedule.Release(1, account(1)),
                        new UnbondingSchedule.Release(2, account(1)))))
        .hasMessageContaining("has two unbonding releases");
  }

  @Test
  void theRecordCarriesTheScheduleSoTheStateRootCommitsToIt() {
    SystemState without = SystemState.genesis(new ValidatorSet(List.of()), BigInteger.TEN);
    SystemState with =
        without.withUnbonding(
            UnbondingSchedule.NONE.schedule(1_030, account(2)).schedule(1_010, account(1)));
    SystemState decoded = SystemState.fromBytes(with.toProto().toByteArray());
    assertThat(decoded).isEqualTo(with);
    assertThat(decoded.unbonding().releases())
        .extracting(UnbondingSchedule.Release::height)
        .containsExactly(1_010L, 1_030L);
    assertThat(with.valueHash()).isNotEqualTo(without.valueHash());
    // A chain that never unstaked encodes nothing for it, so its roots are what they were.
    assertThat(without.toProto().getUnbondingReleasesCount()).isZero();
    assertThat(SystemState.fromBytes(without.toProto().toByteArray())).isEqualTo(without);
  }
}
