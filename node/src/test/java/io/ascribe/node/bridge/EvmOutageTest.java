package io.ascribe.node.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class EvmOutageTest {
  private final EvmOutage outage =
      new EvmOutage(
          LoggerFactory.getLogger(EvmOutageTest.class),
          "Polling",
          Duration.ofSeconds(1),
          Duration.ofSeconds(10));

  @Test
  void anOutageIsReportedOnceWhileItsRetriesBackOffToTheCeiling() {
    assertThat(outage.next()).isEqualTo(Duration.ofSeconds(1));
    assertThat(outage.failed("connection refused"))
        .isEqualTo(new EvmOutage.Retry(Duration.ofSeconds(2), true));
    assertThat(outage.failed("connection refused"))
        .isEqualTo(new EvmOutage.Retry(Duration.ofSeconds(4), false));
    assertThat(outage.failed("connection refused"))
        .isEqualTo(new EvmOutage.Retry(Duration.ofSeconds(8), false));
    assertThat(outage.failed("connection refused"))
        .isEqualTo(new EvmOutage.Retry(Duration.ofSeconds(10), false));
    assertThat(outage.failed("connection refused"))
        .isEqualTo(new EvmOutage.Retry(Duration.ofSeconds(10), false));
  }

  @Test
  void aNewReasonDuringAnOutageIsReportedToo() {
    assertThat(outage.failed("connection refused").report()).isTrue();
    assertThat(outage.failed("serves chain 1, not 31337").report()).isTrue();
    assertThat(outage.failed("serves chain 1, not 31337").report()).isFalse();
  }

  @Test
  void aPollThatWorksEndsTheOutageAndTheBackoff() {
    assertThat(outage.succeeded()).isFalse();
    outage.failed("connection refused");
    outage.failed("connection refused");
    assertThat(outage.succeeded()).isTrue();
    assertThat(outage.succeeded()).isFalse();
    assertThat(outage.next()).isEqualTo(Duration.ofSeconds(1));
    // The next outage is reported again, and starts from the short delay.
    assertThat(outage.failed("connection refused"))
        .isEqualTo(new EvmOutage.Retry(Duration.ofSeconds(2), true));
  }

  @Test
  void theFirstRetryWaitsNoLongerThanTheCeilingEither() {
    EvmOutage slow =
        new EvmOutage(
            LoggerFactory.getLogger(EvmOutageTest.class),
            "Polling",
            Duration.ofSeconds(20),
            Duration.ofSeconds(30));
    assertThat(slow.failed("connection refused").after()).isEqualTo(Duration.ofSeconds(30));
    assertThat(slow.failed("connection refused").after()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void anOutageIsAnIoFailureAnywhereInTheCauseChain() {
    RuntimeException refused =
        new RuntimeException(
            "request failed", new UncheckedIOException(new ConnectException("Connection refused")));
    assertThat(EvmOutage.unreachable(refused)).contains("Connection refused");
    assertThat(EvmOutage.unreachable(new RuntimeException(new SocketTimeoutException())))
        .contains("SocketTimeoutException");
    assertThat(EvmOutage.unreachable(new IllegalStateException("execution reverted"))).isEmpty();
  }
}
