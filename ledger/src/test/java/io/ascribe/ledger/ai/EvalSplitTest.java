package io.ascribe.ledger.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalSplitTest {
  private static List<Hash> ids(int count) {
    List<Hash> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(Keccak.hash(ByteBuffer.allocate(4).putInt(i).array()));
    }
    return ids;
  }

  @Test
  void holdsOutTheRequestedShareDecidedBySeedAndIdAlone() {
    List<Hash> ids = ids(20_000);
    long heldOut = ids.stream().filter(id -> EvalSplit.heldOut(7, 2_000, id)).count();
    assertThat(heldOut / 20_000.0).isCloseTo(0.2, within(0.015));
    for (Hash id : ids.subList(0, 100)) {
      assertThat(EvalSplit.heldOut(7, 2_000, id)).isEqualTo(EvalSplit.heldOut(7, 2_000, id));
      // A larger share holds out a superset.
      if (EvalSplit.heldOut(7, 2_000, id)) {
        assertThat(EvalSplit.heldOut(7, 3_000, id)).isTrue();
      }
    }
  }

  @Test
  void anotherSeedHoldsOutOtherContributions() {
    List<Hash> ids = ids(1_000);
    List<Hash> a = ids.stream().filter(id -> EvalSplit.heldOut(1, 5_000, id)).toList();
    List<Hash> b = ids.stream().filter(id -> EvalSplit.heldOut(2, 5_000, id)).toList();
    assertThat(a).isNotEqualTo(b);
    assertThat(ids.stream().noneMatch(id -> EvalSplit.heldOut(1, 0, id))).isTrue();
    assertThat(ids.stream().allMatch(id -> EvalSplit.heldOut(1, 10_000, id))).isTrue();
  }
}
