package io.ascribe.ledger.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeldPayoutsTest {
  private static Hash batch(int n) {
    return Keccak.hash(new byte[] {(byte) n});
  }

  @Test
  void releasesStayInHeightOrderAndOnlyTheDueFrontIsTaken() {
    HeldPayouts held =
        HeldPayouts.NONE
            .schedule(12, batch(1))
            .schedule(10, batch(2))
            .schedule(15, batch(3))
            .schedule(10, batch(4))
            .schedule(12, batch(1));
    assertThat(held.releases())
        .extracting(HeldPayouts.Release::height)
        .containsExactly(10L, 10L, 12L, 15L);
    assertThat(held.due(9)).isEmpty();
    assertThat(held.due(12)).hasSize(3);
    assertThat(held.withoutDue(12).releases())
        .containsExactly(new HeldPayouts.Release(15, batch(3)));
    assertThat(held.withoutDue(9)).isSameAs(held);
  }

  @Test
  void aDecodedRecordKeepsTheOrderAndTheTotal() {
    HeldPayouts held =
        HeldPayouts.NONE.hold(BigInteger.TEN).schedule(7, batch(5)).schedule(3, batch(6));
    SystemState system =
        new SystemState(
                new ValidatorSet(List.of()),
                List.of(),
                BigInteger.TEN,
                BigInteger.ZERO,
                BigInteger.ZERO,
                BigInteger.ZERO,
                OpenJobs.NONE,
                HeldPayouts.NONE,
                SystemState.BridgeTotals.NONE)
            .withHeld(held);
    assertThat(SystemState.fromBytes(system.toProto().toByteArray())).isEqualTo(system);
  }
}
