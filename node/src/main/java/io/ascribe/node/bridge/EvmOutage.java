package io.ascribe.node.bridge;

import java.time.Duration;

/**
 * When to poll the EVM node next and whether to say so: a failure starts an outage, which is
 * reported once (not once per retry) while the delay between polls doubles up to a ceiling; the
 * first poll that works again ends it. Pure, so the backoff is tested without a network.
 */
final class EvmOutage {
  private final Duration interval;
  private final Duration ceiling;
  private Duration delay;
  private String reason;

  /**
   * @param interval the delay between polls while the EVM node answers
   * @param ceiling the longest delay between retries during an outage
   */
  EvmOutage(Duration interval, Duration ceiling) {
    this.interval = interval;
    this.ceiling = ceiling.compareTo(interval) < 0 ? interval : ceiling;
    this.delay = interval;
  }

  /** What to do after a failed poll. */
  record Retry(Duration after, boolean report) {}

  /** A poll failed for {@code why}: report it if it starts an outage or fails another way. */
  Retry failed(String why) {
    boolean report = !why.equals(reason);
    delay = reason == null ? interval.multipliedBy(2) : min(delay.multipliedBy(2), ceiling);
    reason = why;
    return new Retry(delay, report);
  }

  /** A poll worked; true when it ends an outage. */
  boolean succeeded() {
    boolean ended = reason != null;
    reason = null;
    delay = interval;
    return ended;
  }

  /** The delay before the next poll. */
  Duration next() {
    return delay;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
