package io.ascribe.p2p;

import io.ascribe.core.types.Address;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Scores peers by node id. Each misbehaviour costs points; a peer whose score reaches the ban
 * threshold is banned for a while and then starts again from zero, so an honest node that had a bad
 * moment (a restart mid-frame) is not shut out for good. Pure logic with an injected clock.
 */
public final class PeerScores {
  public static final int BAN_THRESHOLD = 100;

  private final Clock clock;
  private final Duration banDuration;
  private final Map<Address, Integer> penalties = new HashMap<>();
  private final Map<Address, Instant> bannedUntil = new HashMap<>();

  public PeerScores(Clock clock, Duration banDuration) {
    this.clock = clock;
    this.banDuration = banDuration;
  }

  /** Records a misbehaviour; returns true when it gets the peer banned. */
  public synchronized boolean penalise(Address peer, Misbehaviour what) {
    int total = penalties.merge(peer, what.penalty(), Integer::sum);
    if (total >= BAN_THRESHOLD) {
      penalties.remove(peer);
      bannedUntil.put(peer, clock.instant().plus(banDuration));
      return true;
    }
    return false;
  }

  public synchronized boolean isBanned(Address peer) {
    Instant until = bannedUntil.get(peer);
    if (until == null) {
      return false;
    }
    if (!clock.instant().isBefore(until)) {
      bannedUntil.remove(peer);
      return false;
    }
    return true;
  }

  /** Penalty points a peer has collected since its last ban. */
  public synchronized int penalty(Address peer) {
    return penalties.getOrDefault(peer, 0);
  }
}
