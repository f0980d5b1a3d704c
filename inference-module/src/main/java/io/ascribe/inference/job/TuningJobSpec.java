package io.ascribe.inference.job;

import java.nio.file.Path;
import java.util.List;

/** STUB until the jobrunner branch lands. */
public record TuningJobSpec(
    Path baseModelDir,
    TuningJobSpec.Method method,
    int rank,
    int alpha,
    double learningRate,
    int epochs,
    int batchSize,
    long seed,
    List<JobDocument> train,
    List<JobDocument> eval) {
  /** STUB. */
  public enum Method {
    LORA,
    QLORA_NF4,
    PTUNING,
    FULL
  }
}
