package io.ascribe.ledger.state;

import io.ascribe.core.types.Address;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * When each account's unbonding stake returns to its balance: at most one release per account (an
 * account's unbonding is one merged amount, see {@code AccountRules}), kept in (height, address)
 * order so that a block's start takes the due ones off the front without a scan. An account whose
 * unstake is still waiting for the validator set without it has no release yet.
 */
public record UnbondingSchedule(List<Release> releases) {
  public static final UnbondingSchedule NONE = new UnbondingSchedule(List.of());

  private static final Comparator<Release> ORDER =
      Comparator.comparingLong(Release::height).thenComparing(Release::address);

  /** {@code address}'s unbonding returns to its balance at the start of block {@code height}. */
  public record Release(long height, Address address) {}

  public UnbondingSchedule {
    List<Release> ordered = new ArrayList<>(releases);
    ordered.sort(ORDER);
    Set<Address> accounts = new HashSet<>();
    for (Release r : ordered) {
      if (!accounts.add(r.address())) {
        throw new IllegalArgumentException(r.address() + " has two unbonding releases");
      }
    }
    releases = List.copyOf(ordered);
  }

  /** {@code address}'s release, if it has one. */
  public Optional<Release> of(Address address) {
    return releases.stream().filter(r -> r.address().equals(address)).findFirst();
  }

  /** Schedules {@code address}'s release at {@code height}, replacing any it had. */
  public UnbondingSchedule schedule(long height, Address address) {
    List<Release> next = new ArrayList<>(without(address).releases);
    next.add(new Release(height, address));
    return new UnbondingSchedule(next);
  }

  /** Without {@code address}'s release. */
  public UnbondingSchedule without(Address address) {
    List<Release> next = new ArrayList<>(releases);
    return next.removeIf(r -> r.address().equals(address)) ? new UnbondingSchedule(next) : this;
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
  public UnbondingSchedule withoutDue(long height) {
    int n = due(height).size();
    return n == 0 ? this : new UnbondingSchedule(releases.subList(n, releases.size()));
  }
}
