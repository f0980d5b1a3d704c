package io.ascribe.node.executor;

import java.nio.file.Path;

/**
 * How a node runs assigned AI work ({@code ascribe run --executor}).
 *
 * @param workDir where each job's journal, checkpoints and adapter files live
 * @param modelsDir where the base models are: directories holding {@code config.json} and
 *     safetensors weights, found by the hashes the chain registered them with
 * @param device where the models run
 * @param auditPercent the share of other executors' inference receipts this node re-executes, in
 *     percent
 */
public record ExecutorSettings(
    Path workDir, Path modelsDir, ComputeDevice device, int auditPercent) {
  /** The share of receipts an executor re-executes unless its operator says otherwise. */
  public static final int DEFAULT_AUDIT_PERCENT = 10;

  /** E.g. "cpu, models in HOME/models, work in HOME/work", for a node's start-up banner. */
  public String describe() {
    return device.name().toLowerCase(java.util.Locale.ROOT)
        + ", models in "
        + modelsDir
        + ", work in "
        + workDir;
  }

  public ExecutorSettings {
    if (auditPercent < 0 || auditPercent > 100) {
      throw new IllegalArgumentException(
          "the audited share of receipts must be in [0, 100] percent, got " + auditPercent);
    }
  }
}
