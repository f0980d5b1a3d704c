package io.ascribe.inference.job;

/**
 * A tuning job stopped on request ({@link TuningJobRunner#requestStop}) before it finished: its
 * checkpoint at {@link #step} is in the work directory and running the same spec there resumes.
 */
public final class JobStoppedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int step;

  JobStoppedException(int step, int totalSteps) {
    super("stopped at step " + step + " of " + totalSteps + "; run it again to resume");
    this.step = step;
  }

  public int step() {
    return step;
  }
}
