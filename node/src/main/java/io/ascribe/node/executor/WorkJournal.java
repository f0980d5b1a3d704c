package io.ascribe.node.executor;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ascribe.core.types.Hash;
import io.ascribe.node.config.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What this node has done for each job, one JSON file per job ({@code WORK/jobs/JOB/journal.json}),
 * replaced atomically at every phase change: after a crash the service reads where each job was.
 * The signed result or verdict is written here before it is submitted, so a restart sends the same
 * transaction again instead of a second one.
 */
final class WorkJournal {
  static final String FILE = "journal.json";

  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** Where a job's work is. */
  enum Phase {
    FETCHING,
    TRAINING,
    EVALUATING,
    ATTRIBUTING,
    VERIFYING,
    POSTING,
    /** The result or verdict is on chain (or the job moved on without it). */
    DONE,
    /** Given up for good: the reason is in {@link Entry#problem}. */
    FAILED
  }

  /**
   * One job's record.
   *
   * @param role {@code executor} or {@code verifier}
   * @param timingsMs milliseconds spent per phase: fetch, train, eval, attribution, verify, post
   * @param resumedFromStep the checkpoint's step that training last went on from after a restart
   * @param signedTx hex of the signed transaction carrying the result or verdict, once made
   * @param problem why the work waits or failed, for the operator
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Entry(
      String job,
      String role,
      Phase phase,
      java.util.Map<String, Long> timingsMs,
      Integer step,
      Integer totalSteps,
      Double loss,
      Integer resumedFromStep,
      String signedTx,
      String txHash,
      String problem) {

    Entry {
      timingsMs = timingsMs == null ? java.util.Map.of() : java.util.Map.copyOf(timingsMs);
    }

    static Entry start(Hash job, String role) {
      return new Entry(
          job.toHex(), role, Phase.FETCHING, null, null, null, null, null, null, null, null);
    }

    Entry in(Phase next) {
      return new Entry(
          job,
          role,
          next,
          timingsMs,
          step,
          totalSteps,
          loss,
          resumedFromStep,
          signedTx,
          txHash,
          problem);
    }

    Entry timed(String phase, long ms) {
      java.util.Map<String, Long> more = new java.util.TreeMap<>(timingsMs);
      more.merge(phase, ms, Long::sum);
      return new Entry(
          job,
          role,
          this.phase,
          more,
          step,
          totalSteps,
          loss,
          resumedFromStep,
          signedTx,
          txHash,
          problem);
    }

    Entry progress(int at, int of, double currentLoss) {
      return new Entry(
          job,
          role,
          phase,
          timingsMs,
          at,
          of,
          currentLoss,
          resumedFromStep,
          signedTx,
          txHash,
          problem);
    }

    Entry signed(String tx, String hash) {
      return new Entry(
          job,
          role,
          Phase.POSTING,
          timingsMs,
          step,
          totalSteps,
          loss,
          resumedFromStep,
          tx,
          hash,
          null);
    }

    /** Records that training went on from the checkpoint written at {@code at}. */
    Entry resumedAt(int at) {
      return new Entry(
          job, role, phase, timingsMs, step, totalSteps, loss, at, signedTx, txHash, problem);
    }

    Entry withProblem(String why) {
      return new Entry(
          job,
          role,
          phase,
          timingsMs,
          step,
          totalSteps,
          loss,
          resumedFromStep,
          signedTx,
          txHash,
          why);
    }
  }

  private final Path root;

  WorkJournal(Path workDir) {
    this.root = workDir.resolve("jobs");
  }

  /** The directory of one job's files (checkpoints, adapter). */
  Path dir(Hash job) {
    return root.resolve(job.toHex());
  }

  Optional<Entry> read(Hash job) {
    Path file = dir(job).resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), Entry.class));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the journal "
              + file
              + " is unreadable ("
              + e.getMessage()
              + "); stop the node and delete that job's directory to redo its work",
          e);
    }
  }

  void write(Entry entry) {
    Path dir = root.resolve(entry.job());
    try {
      Files.createDirectories(dir);
      AtomicFiles.write(dir.resolve(FILE), JSON.writeValueAsString(entry), false);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the journal in " + dir + ": " + e.getMessage(), e);
    }
  }
}
