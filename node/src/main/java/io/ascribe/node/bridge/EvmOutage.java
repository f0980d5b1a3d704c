package io.ascribe.node.bridge;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The one place that decides what an outage of a node the process polls is (an EVM node, or the
 * Ascribe node a relayer follows), how it is logged and when to poll again: a failure starts an
 * outage, which is logged once at WARN (not once per retry) while the delay between polls doubles
 * up to a ceiling; the first poll that works again ends it, with one INFO line. The deposit bridge
 * and the settlement relayer both poll through one, so they back off and report alike.
 */
public final class EvmOutage {
  private final Logger log;
  private final String what;
  private final Duration interval;
  private final Duration ceiling;
  private Duration delay;
  private String reason;

  /**
   * @param log where outages are reported
   * @param what what is polled, as each log line starts ({@code "Deposits"}, {@code "Relaying"})
   * @param interval the delay between polls while the node answers
   * @param ceiling the longest delay between retries during an outage
   */
  public EvmOutage(Logger log, String what, Duration interval, Duration ceiling) {
    this.log = log;
    this.what = what;
    this.interval = interval;
    this.ceiling = ceiling.compareTo(interval) < 0 ? interval : ceiling;
    this.delay = interval;
  }

  /** What to do after a failed poll. */
  public record Retry(Duration after, boolean report) {}

  /**
   * The I/O failure behind {@code e}, if there is one: the node did not answer (refused, reset,
   * timed out), which is an outage to wait out rather than an answer to act on.
   *
   * @return that failure's message (its type where it has none)
   */
  public static Optional<String> unreachable(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof IOException) {
        // Some (a bare SocketTimeoutException) carry no message; their kind says enough.
        return Optional.of(c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName());
      }
    }
    return Optional.empty();
  }

  /**
   * A poll failed for {@code why} (one line, with the fix): logs it if it starts an outage or fails
   * another way, and says when to poll again.
   */
  public Retry failed(String why) {
    boolean report = !why.equals(reason);
    // Outside an outage the delay is the interval, so the first retry waits twice that.
    delay = min(delay.multipliedBy(2), ceiling);
    reason = why;
    if (report) {
      log.warn("{}: {} (retrying, at most every {} s)", what, why, ceiling.toSeconds());
    }
    return new Retry(delay, report);
  }

  /** A poll worked: logs the end of an outage if it ends one; true when it does. */
  public boolean succeeded() {
    boolean ended = reason != null;
    reason = null;
    delay = interval;
    if (ended) {
      log.info("{}: works again", what);
    }
    return ended;
  }

  /** The delay before the next poll. */
  public Duration next() {
    return delay;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
