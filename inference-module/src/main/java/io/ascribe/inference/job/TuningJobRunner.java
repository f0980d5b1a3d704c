package io.ascribe.inference.job;

import java.nio.file.Path;

/** STUB until the jobrunner branch lands. */
public final class TuningJobRunner {
  /** STUB. */
  public interface Listener {
    void onStep(int step, int totalSteps, double loss, double tokensPerSecond);

    void onPhase(String phase);
  }

  public TuningJobResult run(TuningJobSpec spec, Path workDir, Listener listener) {
    throw new UnsupportedOperationException("stub");
  }

  public void requestStop() {}
}
