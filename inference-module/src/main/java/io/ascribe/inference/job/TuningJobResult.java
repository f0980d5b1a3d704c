package io.ascribe.inference.job;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A finished tuning job: the adapter file ({@code adapter.safetensors}, what the node hashes and
 * serves), the mean loss of the last training step, the evaluation loss (mean response-token NLL)
 * and ROUGE-L F1 of greedy generations on the evaluation documents, every training document's
 * influence on the evaluation loss by id (see {@link Influence}), and where the time went.
 */
public record TuningJobResult(
    Path adapterFile,
    double finalLoss,
    double evalLoss,
    double rougeL,
    Map<String, Double> influence,
    TuningJobResult.Timings timings) {
  public TuningJobResult {
    influence = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(influence));
  }

  /** Wall time of the job's three phases. */
  public record Timings(Duration train, Duration eval, Duration attribution) {}
}
