package io.ascribe.inference.job;

import java.nio.file.Path;
import java.util.Map;

/** STUB until the jobrunner branch lands. */
public final class TuningJobVerifier {
  /** STUB. */
  public record Tolerance(double evalLoss, double rougeL, double influence) {
    public static final Tolerance DEFAULT = new Tolerance(0.01, 0.02, 0.1);
  }

  /** STUB. */
  public record Verification(boolean accepted, double evalLoss, double rougeL, String reason) {}

  public Verification verify(
      TuningJobSpec spec,
      Path adapterFile,
      double claimedEvalLoss,
      double claimedRougeL,
      Map<String, Double> claimedInfluence,
      long sampleSeed,
      int sampleSize,
      Tolerance tolerance) {
    throw new UnsupportedOperationException("stub");
  }
}
