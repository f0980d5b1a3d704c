package io.ascribe.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Safety and liveness of {@link TendermintMachine} over many seeded {@link Simulation} runs. The
 * number of seeds comes from {@code ascribe.sim.seeds} (1,000 in {@code verify}, 100,000 with
 * {@code -Psoak}); a failure names its seed, and {@code -Dascribe.sim.seed=S} reruns just that one
 * ({@code S1,S2,...} reruns several).
 */
class SimulationTest {

  @Test
  void everySeedIsSafeAndLive() {
    String one = System.getProperty("ascribe.sim.seed");
    long seeds = Long.getLong("ascribe.sim.seeds", 1000);
    LongStream range =
        one != null
            ? Arrays.stream(one.split(",")).mapToLong(s -> Long.parseLong(s.trim()))
            : LongStream.range(0, seeds);
    AtomicLong evidence = new AtomicLong();
    List<String> failures =
        range
            .parallel()
            .mapToObj(
                seed -> {
                  try {
                    Simulation sim = new Simulation(seed);
                    sim.run();
                    evidence.addAndGet(sim.evidenceSeen());
                    return null;
                  } catch (AssertionError | RuntimeException e) {
                    return e.toString();
                  }
                })
            .filter(f -> f != null)
            .sorted()
            .toList();
    assertThat(failures).as("failing seeds (%d)", failures.size()).isEmpty();
    if (one == null && seeds >= 100) {
      // Byzantine nodes are in most runs: their double votes must have been caught.
      assertThat(evidence.get()).isPositive();
    }
  }

  /**
   * The seeds below 20,000 that stalled in PREVOTE until the write-ahead log kept the node's own
   * signed messages: a restarted validator had lost a proposal or prevote that its guard would not
   * sign again. The default run (seeds 0 to 999) contains none of them, so they run here always.
   */
  @Test
  void seedsWhereARestartLostItsOwnPrevoteAreLive() {
    long[] seeds = {
      4195, 4962, 5109, 5207, 5208, 5436, 7552, 7691, 8007, 10293, 10704, 11424, 13908, 13991,
      16511, 16900, 17092, 17426, 17470, 18671, 19473, 19723
    };
    List<String> failures =
        Arrays.stream(seeds)
            .parallel()
            .mapToObj(
                seed -> {
                  try {
                    new Simulation(seed).run();
                    return null;
                  } catch (AssertionError | RuntimeException e) {
                    return e.toString();
                  }
                })
            .filter(f -> f != null)
            .sorted()
            .toList();
    assertThat(failures).as("failing seeds (%d)", failures.size()).isEmpty();
  }
}
