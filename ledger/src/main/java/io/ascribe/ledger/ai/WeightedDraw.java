package io.ascribe.ledger.ai;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Stake-weighted sampling without replacement from a seed, the way a tuning job's executor and
 * verifiers are drawn. Draw {@code i} hashes keccak256(seed ‖ i) to a 256-bit number, takes it
 * modulo the weight still in the pool, and walks the remaining candidates in address order until
 * the running weight passes it; that candidate leaves the pool. Every step is integer arithmetic on
 * the seed and the sorted candidates, so every validator draws the same accounts in the same order,
 * whatever order it was handed them in. Each draw picks a candidate with probability its weight
 * over the pool's (the bias of the modulo is below 2^-150 for any real stake).
 */
public final class WeightedDraw {
  /** An account and its weight (its validator stake); the weight must be positive. */
  public record Candidate(Address address, BigInteger weight) {}

  private WeightedDraw() {}

  /**
   * Draws {@code count} distinct accounts.
   *
   * @return the accounts in draw order
   * @throws IllegalArgumentException when fewer than {@code count} candidates are given, or a
   *     candidate is listed twice or without a positive weight
   */
  public static List<Address> draw(List<Candidate> candidates, int count, Hash seed) {
    List<Candidate> pool = new ArrayList<>(candidates);
    pool.sort(Comparator.comparing(Candidate::address));
    for (int i = 0; i < pool.size(); i++) {
      if (pool.get(i).weight().signum() <= 0) {
        throw new IllegalArgumentException(pool.get(i).address() + " has no positive weight");
      }
      if (i > 0 && pool.get(i).address().equals(pool.get(i - 1).address())) {
        throw new IllegalArgumentException(pool.get(i).address() + " is a candidate twice");
      }
    }
    if (count > pool.size()) {
      throw new IllegalArgumentException(
          "cannot draw " + count + " distinct accounts from " + pool.size() + " candidates");
    }
    BigInteger total =
        pool.stream().map(Candidate::weight).reduce(BigInteger.ZERO, BigInteger::add);
    List<Address> drawn = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Hash h = Keccak.hash(seed.toArray(), ByteBuffer.allocate(4).putInt(i).array());
      BigInteger point = new BigInteger(1, h.toArray()).mod(total);
      int pick = 0;
      while (point.compareTo(pool.get(pick).weight()) >= 0) {
        point = point.subtract(pool.get(pick).weight());
        pick++;
      }
      Candidate chosen = pool.remove(pick);
      drawn.add(chosen.address());
      total = total.subtract(chosen.weight());
    }
    return drawn;
  }
}
