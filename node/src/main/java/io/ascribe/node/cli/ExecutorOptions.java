package io.ascribe.node.cli;

import io.ascribe.node.executor.ComputeDevice;
import io.ascribe.node.executor.ExecutorSettings;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options that make a node run AI work ({@code --executor} and what goes with it), shared by
 * {@code ascribe run} and {@code ascribe devnet}, whose defaults live under the node's home or data
 * directory.
 */
final class ExecutorOptions {
  @Option(
      names = "--executor",
      description =
          "Run assigned AI work: declare the inference capability, run the tuning jobs this"
              + " validator is drawn for and verify the results it is drawn to check.")
  boolean executor;

  @Option(
      names = "--device",
      paramLabel = "cpu|cuda",
      defaultValue = "cpu",
      description = "Where --executor runs models (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "Where --executor keeps each job's journal and checkpoints (default: work in the node's"
              + " home or data directory).")
  Path workDir;

  @Option(
      names = "--models",
      paramLabel = "DIR",
      description =
          "Where --executor finds base models, matched by the hashes they were registered with"
              + " (default: models in the node's home or data directory).")
  Path models;

  @Option(
      names = "--audit-percent",
      paramLabel = "P",
      defaultValue = "" + ExecutorSettings.DEFAULT_AUDIT_PERCENT,
      description =
          "Share of other executors' inference receipts --executor re-executes, challenging those"
              + " that disagree (default: ${DEFAULT-VALUE}).")
  int auditPercent;

  /** Refuses an {@code --audit-percent} outside [0, 100], naming the option. */
  static void requireAuditPercent(int percent) {
    if (percent < 0 || percent > 100) {
      throw new UserErrorException("--audit-percent must be in [0, 100], got " + percent);
    }
  }

  /**
   * What {@code --executor} runs with, its directories defaulting under {@code home}; empty without
   * {@code --executor}, which the other options then need. Refuses a {@code --device} that cannot
   * run here, so a command calls this before it starts anything.
   */
  Optional<ExecutorSettings> settings(Path home) {
    if (!executor) {
      if (workDir != null || models != null || !device.equals("cpu")) {
        throw new UserErrorException("--device, --work-dir and --models need --executor");
      }
      return Optional.empty();
    }
    ComputeDevice chosen;
    try {
      chosen = ComputeDevice.parse(device);
      // Before the node opens its data directory: a refused device leaves nothing behind.
      chosen.checkAvailable();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UserErrorException(e.getMessage());
    }
    requireAuditPercent(auditPercent);
    return Optional.of(
        new ExecutorSettings(
            workDir != null ? workDir : home.resolve("work"),
            models != null ? models : home.resolve("models"),
            chosen,
            auditPercent));
  }
}
