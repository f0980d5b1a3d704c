package io.ascribe.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.types.Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProposerRotationTest {

  private static Validators set(long... powers) {
    List<Validators.Validator> list = new ArrayList<>();
    for (int i = 0; i < powers.length; i++) {
      list.add(new Validators.Validator(TestCrypto.address(i), powers[i]));
    }
    return new Validators(list);
  }

  /**
   * From the start of the sequence each validator has proposed its share of the picks within one;
   * any window of rounds from another starting height is within two (the difference of two such
   * prefixes), and every whole period is exact.
   */
  @Test
  void everyPrefixIsProportionalToPowerWithinOne() {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 50; trial++) {
      int n = 1 + rnd.nextInt(8);
      long[] powers = new long[n];
      long total = 0;
      for (int i = 0; i < n; i++) {
        powers[i] = 1 + rnd.nextInt(20);
        total += powers[i];
      }
      Validators validators = set(powers);
      ProposerRotation rotation = new ProposerRotation(validators);
      long height = trial % 2 == 0 ? 1 : 1 + rnd.nextInt(1000);
      double slack = height == 1 ? 1.0 : 2.0;
      long[] count = new long[n];
      for (int r = 0; r < 3 * total; r++) {
        count[validators.indexOf(rotation.proposer(height, r))]++;
        for (int i = 0; i < n; i++) {
          double share = (double) (r + 1) * powers[i] / total;
          assertThat((double) count[i])
              .isCloseTo(share, org.assertj.core.api.Assertions.within(slack));
        }
      }
      for (int i = 0; i < n; i++) {
        assertThat(count[i]).isEqualTo(3 * powers[i]);
      }
    }
  }

  @Test
  void isAPureFunctionOfHeightAndRound() {
    Validators validators = set(5, 1, 3, 3);
    ProposerRotation walked = new ProposerRotation(validators);
    List<Address> forwards = new ArrayList<>();
    for (int h = 1; h <= 30; h++) {
      for (int r = 0; r < 4; r++) {
        forwards.add(walked.proposer(h, r));
      }
    }
    int i = forwards.size();
    for (int h = 30; h >= 1; h--) {
      for (int r = 3; r >= 0; r--) {
        assertThat(new ProposerRotation(validators).proposer(h, r)).isEqualTo(forwards.get(--i));
        assertThat(walked.proposer(h, r)).isEqualTo(forwards.get(i));
      }
    }
  }

  @Test
  void scalingAllPowersChangesNothing() {
    ProposerRotation small = new ProposerRotation(set(2, 3, 7));
    ProposerRotation large =
        new ProposerRotation(set(2_000_000_000_000L, 3_000_000_000_000L, 7_000_000_000_000L));
    for (int r = 0; r < 100; r++) {
      assertThat(large.proposer(1_000_000, r)).isEqualTo(small.proposer(1_000_000, r));
    }
  }
}
