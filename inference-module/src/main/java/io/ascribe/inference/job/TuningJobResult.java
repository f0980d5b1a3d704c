package io.ascribe.inference.job;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** STUB until the jobrunner branch lands. */
public record TuningJobResult(
    Path adapterFile,
    double finalLoss,
    double evalLoss,
    double rougeL,
    Map<String, Double> influence,
    TuningJobResult.Timings timings) {
  /** STUB. */
  public record Timings(Duration train, Duration eval, Duration attribution) {}
}
