package io.ascribe.ledger.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedDrawTest {
  private static final int SEEDS = 20_000;

  private static Address address(int n) {
    byte[] raw = new byte[20];
    raw[0] = (byte) (0x40 - n);
    raw[19] = (byte) n;
    return Address.wrap(raw);
  }

  private static List<WeightedDraw.Candidate> candidates(long... weights) {
    List<WeightedDraw.Candidate> out = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      // Stakes in wei, as the validator set holds them.
      out.add(
          new WeightedDraw.Candidate(
              address(i + 1), BigInteger.valueOf(weights[i]).multiply(BigInteger.TEN.pow(21))));
    }
    return out;
  }

  private static Hash seed(int i) {
    return Keccak.hash(ByteBuffer.allocate(4).putInt(i).array());
  }

  @Test
  void theSameSeedDrawsTheSameAccountsWhateverOrderTheCandidatesComeIn() {
    List<WeightedDraw.Candidate> pool = candidates(5, 1, 3, 2, 8, 1);
    List<WeightedDraw.Candidate> reversed = new ArrayList<>(pool);
    java.util.Collections.reverse(reversed);
    for (int i = 0; i < 200; i++) {
      List<Address> drawn = WeightedDraw.draw(pool, 4, seed(i));
      assertThat(WeightedDraw.draw(reversed, 4, seed(i))).isEqualTo(drawn);
      assertThat(new HashSet<>(drawn)).hasSize(4);
    }
    assertThat(WeightedDraw.draw(pool, 6, seed(1))).hasSize(6).doesNotHaveDuplicates();
  }

  @Test
  void theFirstDrawFollowsStake() {
    long[] weights = {1, 2, 3, 4};
    List<WeightedDraw.Candidate> pool = candidates(weights);
    Map<Address, Integer> firsts = new HashMap<>();
    for (int i = 0; i < SEEDS; i++) {
      firsts.merge(WeightedDraw.draw(pool, 1, seed(i)).get(0), 1, Integer::sum);
    }
    for (int i = 0; i < weights.length; i++) {
      // One sigma is at most 0.0035 here; 0.015 is over four.
      assertThat(firsts.getOrDefault(address(i + 1), 0) / (double) SEEDS)
          .isCloseTo(weights[i] / 10.0, within(0.015));
    }
  }

  @Test
  void inclusionInADrawOfThreeMatchesWeightedSamplingWithoutReplacement() {
    long[] weights = {1, 2, 3, 4, 10};
    List<WeightedDraw.Candidate> pool = candidates(weights);
    Map<Address, Integer> included = new HashMap<>();
    for (int i = 0; i < SEEDS; i++) {
      WeightedDraw.draw(pool, 3, seed(i)).forEach(a -> included.merge(a, 1, Integer::sum));
    }
    Map<Address, Double> exact = inclusion(pool, 3);
    for (WeightedDraw.Candidate c : pool) {
      assertThat(included.getOrDefault(c.address(), 0) / (double) SEEDS)
          .isCloseTo(exact.get(c.address()), within(0.015));
    }
    // The heaviest is nearly always in, the lightest rarely: not the same as uniform.
    assertThat(exact.get(address(5))).isGreaterThan(0.9);
    assertThat(exact.get(address(1))).isLessThan(0.3);
  }

  /** The exact chance each candidate is among {@code k} drawn one at a time by weight. */
  private static Map<Address, Double> inclusion(List<WeightedDraw.Candidate> pool, int k) {
    Map<Address, Double> out = new HashMap<>();
    pool.forEach(c -> out.put(c.address(), 0.0));
    if (k == 0) {
      return out;
    }
    double total = pool.stream().mapToDouble(c -> c.weight().doubleValue()).sum();
    for (WeightedDraw.Candidate first : pool) {
      double p = first.weight().doubleValue() / total;
      out.merge(first.address(), p, Double::sum);
      List<WeightedDraw.Candidate> rest = new ArrayList<>(pool);
      rest.remove(first);
      inclusion(rest, k - 1).forEach((a, q) -> out.merge(a, p * q, Double::sum));
    }
    return out;
  }

  @Test
  void refusesTooFewDuplicateOrWeightlessCandidates() {
    assertThatThrownBy(() -> WeightedDraw.draw(candidates(1, 2), 3, seed(0)))
        .hasMessage("cannot draw 3 distinct accounts from 2 candidates");
    List<WeightedDraw.Candidate> twice = new ArrayList<>(candidates(1, 2));
    twice.add(twice.get(0));
    assertThatThrownBy(() -> WeightedDraw.draw(twice, 1, seed(0)))
        .hasMessage(address(1) + " is a candidate twice");
    assertThatThrownBy(() -> WeightedDraw.draw(candidates(1, 0), 1, seed(0)))
        .hasMessage(address(2) + " has no positive weight");
  }
}
