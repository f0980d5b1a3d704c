package io.ascribe.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ascribe.consensus.Step;
import io.ascribe.consensus.TimeoutConfig;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.node.mempool.Mempool;
import io.ascribe.node.mempool.MempoolLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The consensus status a validator reports: the height, round and step it is at, and how long it
 * has been at that height, whether it decides (the sole validator of a chain) or cannot (one of two
 * validators with the other unreachable, stuck waiting for votes).
 */
class ConsensusServiceTest {
  private static final TimeoutConfig FAST = new TimeoutConfig(20, 10, 20, 10, 20, 10);
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private final List<PrivateKey> keys = DevnetGenesis.devAccounts();
  private Ledger ledger;
  private ConsensusService service;

  private ConsensusService start(Genesis genesis) throws Exception {
    return start(genesis, block -> {});
  }

  private ConsensusService start(Genesis genesis, Consumer<ExecutedBlock> onCommitted)
      throws Exception {
    ledger = Ledger.open(dir.resolve("data"), genesis);
    Mempool mempool =
        new Mempool(
            genesis.chainId(), genesis.params().minFee(), MempoolLimits.DEFAULT, Clock.systemUTC());
    service =
        new ConsensusService(
            ledger,
            mempool,
            keys.get(0),
            dir.resolve("consensus"),
            FAST,
            Clock.systemUTC(),
            message -> {},
            onCommitted,
            new EvidenceReporter(ledger, mempool, keys.get(0), tx -> {}));
    service.start();
    return service;
  }

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
    if (ledger != null) {
      ledger.close();
    }
  }

  /** Polls the reported status until it satisfies {@code condition}, within {@link #WAIT}. */
  private ConsensusService.Status await(Predicate<ConsensusService.Status> condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      var status = service.status();
      if (status.isPresent() && condition.test(status.get())) {
        return status.get();
      }
      assertThat(System.nanoTime()).as("status %s in time", status).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  void aSoleValidatorReportsEachNewHeightItDecides() throws Exception {
    start(DevnetGenesis.create(10));
    ConsensusService.Status status = await(s -> s.height() >= 3);
    assertThat(ledger.height()).isGreaterThanOrEqualTo(2);
    assertThat(status.round()).isZero();
  }

  @Test
  void closingItAmidATaskIsNoFailure() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(ConsensusService.class);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Thread closer =
        new Thread(
            () -> {
              service.close();
              closed.complete(null);
            });
    try {
      // Block 2's commit task is interrupted by close(): once the thread is shutting down, the
      // task goes on to schedule the next height, which the executor refuses.
      start(
          DevnetGenesis.create(10),
          block -> {
            if (block.height() == 2) {
              closer.start();
              while (!((ExecutorService) service.executor()).isShutdown()) {
                Thread.onSpinWait();
              }
            }
          });
      closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      service = null;
    } finally {
      logger.detachAppender(log);
    }
    assertThat(ledger.height()).isEqualTo(2);
    assertThat(log.list).noneMatch(e -> e.getLevel() == Level.ERROR);
  }

  @Test
  void aValidatorWithoutAQuorumReportsItWaitsAtThePrevoteStepOfItsHeight() throws Exception {
    Genesis devnet = DevnetGenesis.create(10);
    start(
        new Genesis(
            devnet.chainId(),
            devnet.genesisTime(),
            List.of(
                new Genesis.GenesisValidator(keys.get(0).address(), DevnetGenesis.VALIDATOR_STAKE),
                new Genesis.GenesisValidator(keys.get(1).address(), DevnetGenesis.VALIDATOR_STAKE)),
            devnet.allocations(),
            devnet.params()));
    // Half the power alone: its prevote is no quorum of anything, so no timeout moves it on.
    ConsensusService.Status stuck = await(s -> s.step() == Step.PREVOTE);
    assertThat(stuck.height()).isEqualTo(1);
    assertThat(stuck.round()).isZero();
    assertThat(stuck.decided()).isFalse();
    // Many times its timeouts later it is still there, and says how long it has been.
    ConsensusService.Status later = await(s -> s.millisAtHeight() >= 50 * FAST.proposeBase());
    assertThat(later)
        .extracting(
            ConsensusService.Status::height,
            ConsensusService.Status::round,
            ConsensusService.Status::step)
        .containsExactly(1L, 0, Step.PREVOTE);
    assertThat(ledger.height()).isZero();
  }
}
