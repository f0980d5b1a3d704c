package io.ascribe.inference.bench;

import java.util.List;

/**
 * What one tuning method measured in its own process, as the table needs it: the sizes (trainable
 * values, base weights and their bytes as held, bits per projection weight), the process's peak
 * resident memory, every step's time, tokens and training loss, the FLOPs one trained token costs
 * under {@link FlopModel}, the plain matrix-multiply FLOP/s measured in the same process, the
 * held-out loss and ROUGE-1/2/L F-measures per test prompt, and a few generations to read.
 */
public record MethodResult(
    String method,
    long trainableParameters,
    long baseParameters,
    long baseWeightBytes,
    double projectionBits,
    long peakRssBytes,
    List<Double> stepSeconds,
    List<Long> stepTokens,
    List<Double> losses,
    double flopsPerToken,
    double matmulFlops,
    double testLoss,
    List<Double> rouge1,
    List<Double> rouge2,
    List<Double> rougeL,
    List<Sample> samples) {
  public MethodResult {
    stepSeconds = List.copyOf(stepSeconds);
    stepTokens = List.copyOf(stepTokens);
    losses = List.copyOf(losses);
    rouge1 = List.copyOf(rouge1);
    rouge2 = List.copyOf(rouge2);
    rougeL = List.copyOf(rougeL);
    samples = List.copyOf(samples);
    if (stepSeconds.size() != losses.size() || stepTokens.size() != losses.size()) {
      throw new IllegalArgumentException(
          "step times, tokens and losses must be one per step: got "
              + stepSeconds.size()
              + ", "
              + stepTokens.size()
              + " and "
              + losses.size());
    }
  }

  /** One test prompt, its reference definition and what the tuned model wrote. */
  public record Sample(String prompt, String reference, String generated) {}

  /** Median seconds per optimiser step. */
  public double medianStepSeconds() {
    return Stats.median(stepSeconds);
  }

  /**
   * Trained tokens per second of the median step (by throughput): on a shared machine one stalled
   * step would otherwise stand for the whole run. Time to a target loss counts every step.
   */
  public double tokensPerSecond() {
    List<Double> rates = new java.util.ArrayList<>();
    for (int i = 0; i < stepSeconds.size(); i++) {
      rates.add(stepTokens.get(i) / stepSeconds.get(i));
    }
    return Stats.median(rates);
  }

  /** Achieved training FLOP/s as a share of the plain matmul's FLOP/s. */
  public double flopShare() {
    return flopsPerToken * tokensPerSecond() / matmulFlops;
  }

  /** The base weights' bytes as held over their bytes in a 16-bit format. */
  public double baseBytesVs16Bit() {
    return baseWeightBytes / (2.0 * baseParameters);
  }
}
