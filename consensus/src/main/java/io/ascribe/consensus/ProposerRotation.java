package io.ascribe.consensus;

import io.ascribe.core.types.Address;
import java.util.Arrays;

/**
 * Who proposes at (height, round): CometBFT's proposer-priority algorithm (also known as smooth
 * weighted round robin) made a pure function of the validator set, height and round.
 *
 * <p>The sequence starts with every priority at zero. Each pick adds every validator's power to its
 * priority, chooses the highest priority (ties go to the lower address), and subtracts the total
 * power from the chosen one. (height, round) takes pick number {@code height - 1 + round}, so a new
 * round moves to the next proposer just as a new height does. Powers are first divided by their
 * greatest common divisor, which changes no choice, and then the sequence repeats every {@code
 * total} picks with each validator chosen exactly {@code power} times per period; within any
 * stretch of picks a validator's count stays within one of its proportional share.
 *
 * <p>Differences from CometBFT, whose priorities live in the chain state: there is no carried-over
 * state, so a validator set change starts a fresh sequence instead of inheriting priorities, and
 * neither the centring nor the rescaling step is needed because priorities starting at zero stay
 * within (-total, total).
 */
public final class ProposerRotation {
  private final Validators validators;
  private final long[] weights;
  private final long total;
  // The priorities before pick `cursorIndex`, and a saved copy at the last round 0 asked for, so
  // that going back from round r of one height to round 0 of the next does not restart at zero.
  private long cursorIndex;
  private long[] cursor;
  private long markIndex;
  private long[] mark;

  public ProposerRotation(Validators validators) {
    this.validators = validators;
    int n = validators.size();
    long gcd = 0;
    for (Validators.Validator v : validators.validators()) {
      gcd = gcd(gcd, v.power());
    }
    weights = new long[n];
    long sum = 0;
    for (int i = 0; i < n; i++) {
      weights[i] = validators.validators().get(i).power() / gcd;
      sum += weights[i];
    }
    total = sum;
    cursor = new long[n];
    mark = new long[n];
  }

  public Address proposer(long height, int round) {
    if (height < 1 || round < 0) {
      throw new IllegalArgumentException("height must be >= 1 and round >= 0");
    }
    long index = Math.floorMod(height - 1 + round, total);
    seek(index);
    if (round == 0) {
      markIndex = cursorIndex;
      mark = cursor.clone();
    }
    return validators.validators().get(choose(cursor)).address();
  }

  private void seek(long index) {
    if (index < cursorIndex) {
      if (markIndex <= index) {
        cursorIndex = markIndex;
        cursor = mark.clone();
      } else {
        cursorIndex = 0;
        Arrays.fill(cursor, 0);
      }
    }
    while (cursorIndex < index) {
      int chosen = choose(cursor);
      for (int i = 0; i < cursor.length; i++) {
        cursor[i] += weights[i];
      }
      cursor[chosen] -= total;
      cursorIndex++;
    }
  }

  private int choose(long[] priorities) {
    int best = 0;
    for (int i = 1; i < priorities.length; i++) {
      if (priorities[i] + weights[i] > priorities[best] + weights[best]) {
        best = i;
      }
    }
    return best;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
