package io.ascribe.ledger.state;

import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * What the inference rules hold back: the wei of fees waiting out their challenge window plus the
 * challenge bonds posted (part of the total supply), and when each receipt batch settles, kept in
 * (height, batch) order so that a block's start takes the due ones off the front without a scan.
 */
public record HeldPayouts(BigInteger total, List<Release> releases) {
  public static final HeldPayouts NONE = new HeldPayouts(BigInteger.ZERO, List.of());

  private static final Comparator<Release> ORDER =
      Comparator.comparingLong(Release::height).thenComparing(Release::batch);

  /** Batch {@code batch} settles at the start of block {@code height}. */
  public record Release(long height, Hash batch) {}

  public HeldPayouts {
    if (total.signum() < 0) {
      throw new IllegalArgumentException("held payouts cannot be negative: " + total);
    }
    releases = List.copyOf(releases);
  }

  /** The same releases, in order whatever order they came in (for a decoded record). */
  static HeldPayouts sorted(BigInteger total, List<Release> releases) {
    List<Release> ordered = new ArrayList<>(releases);
    ordered.sort(ORDER);
    return new HeldPayouts(total, ordered);
  }

  /** {@code delta} wei more held (a fee or bond taken in is positive, one paid out negative). */
  public HeldPayouts hold(BigInteger delta) {
    return new HeldPayouts(total.add(delta), releases);
  }

  /** Schedules {@code batch} to settle at {@code height}, keeping the order. */
  public HeldPayouts schedule(long height, Hash batch) {
    Release release = new Release(height, batch);
    int at = Collections.binarySearch(releases, release, ORDER);
    if (at >= 0) {
      return this;
    }
    List<Release> next = new ArrayList<>(releases.size() + 1);
    next.addAll(releases);
    next.add(-at - 1, release);
    return new HeldPayouts(total, next);
  }

  /** The releases due at or before {@code height}, in order. */
  public List<Release> due(long height) {
    int n = 0;
    while (n < releases.size() && releases.get(n).height() <= height) {
      n++;
    }
    return releases.subList(0, n);
  }

  /** Without the releases due at or before {@code height}. */
  public HeldPayouts withoutDue(long height) {
    int n = due(height).size();
    return n == 0 ? this : new HeldPayouts(total, releases.subList(n, releases.size()));
  }
}
