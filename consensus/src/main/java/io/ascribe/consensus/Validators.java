package io.ascribe.consensus;

import io.ascribe.core.types.Address;
import java.util.Comparator;
import java.util.List;

/**
 * The validators of one height, ordered by address, each with a positive {@code long} voting power.
 * Quorums are by power: a quorum is more than 2/3 of the total, and "f+1" (enough that one honest
 * validator is among them) is more than 1/3. The total is capped at {@code Long.MAX_VALUE / 3} so
 * that those comparisons, done as {@code 3 * power > 2 * total}, cannot overflow.
 */
public record Validators(List<Validator> validators) {

  /** One validator: the address that signs its votes and its voting power. */
  public record Validator(Address address, long power) {
    public Validator {
      if (power <= 0) {
        throw new IllegalArgumentException("voting power must be positive, got " + power);
      }
    }
  }

  public Validators {
    validators = validators.stream().sorted(Comparator.comparing(Validator::address)).toList();
    if (validators.isEmpty()) {
      throw new IllegalArgumentException("a validator set needs at least one validator");
    }
    long total = 0;
    for (int i = 0; i < validators.size(); i++) {
      if (i > 0 && validators.get(i).address().equals(validators.get(i - 1).address())) {
        throw new IllegalArgumentException("validator listed twice: " + validators.get(i));
      }
      total += validators.get(i).power();
      if (total > Long.MAX_VALUE / 3 || total < 0) {
        throw new IllegalArgumentException("total voting power must stay below Long.MAX_VALUE/3");
      }
    }
  }

  public long totalPower() {
    return validators.stream().mapToLong(Validator::power).sum();
  }

  public int size() {
    return validators.size();
  }

  /** The power of {@code address}, or 0 when it is not a validator. */
  public long powerOf(Address address) {
    int i = indexOf(address);
    return i < 0 ? 0 : validators.get(i).power();
  }

  /** The position of {@code address} in address order, or -1 when it is not a validator. */
  public int indexOf(Address address) {
    int lo = 0;
    int hi = validators.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = validators.get(mid).address().compareTo(address);
      if (c == 0) {
        return mid;
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  public boolean contains(Address address) {
    return powerOf(address) > 0;
  }

  /** More than 2/3 of the total power. */
  public boolean isQuorum(long power) {
    return 3 * power > 2 * totalPower();
  }

  /** More than 1/3 of the total power: at least one honest validator is among them. */
  public boolean isOneThird(long power) {
    return 3 * power > totalPower();
  }
}
