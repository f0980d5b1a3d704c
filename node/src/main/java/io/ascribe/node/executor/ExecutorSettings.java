package io.ascribe.node.executor;

import java.nio.file.Path;

/**
 * How a node runs assigned AI work ({@code ascribe run --executor}).
 *
 * @param workDir where each job's journal, checkpoints and adapter files live
 * @param modelsDir where the base models are: directories holding {@code config.json} and
 *     safetensors weights, found by the hashes the chain registered them with
 * @param device where the models run
 */
public record ExecutorSettings(Path workDir, Path modelsDir, ComputeDevice device) {}
