package io.ascribe.inference.job;

import io.ascribe.inference.train.Example;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small tuning jobs over the tiny model for the runner's and verifier's tests. */
final class Jobs {
  private Jobs() {}

  static final String[][] CAPITALS = {
    {"Paris", "france"}, {"Rome", "italy"}, {"Lima", "peru"}, {"Oslo", "norway"},
    {"Cairo", "egypt"}, {"Quito", "ecuador"}, {"Seoul", "korea"}, {"Bern", "swiss"}
  };

  static JobDocument capital(String id, int i) {
    return new JobDocument(
        id, new Example("city: " + CAPITALS[i][0] + "\ncountry:", " " + CAPITALS[i][1]));
  }

  /** Eight capital → country documents to train on, the first three again to evaluate on. */
  static TuningJobSpec capitals(Path base, TuningJobSpec.Method method, long seed) {
    List<JobDocument> train = new ArrayList<>();
    for (int i = 0; i < CAPITALS.length; i++) {
      train.add(capital(String.format("%064x", i + 1), i));
    }
    List<JobDocument> eval = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      eval.add(capital("e" + i, i));
    }
    return new TuningJobSpec(base, method, 4, 8, 1e-2, 3, 4, seed, train, eval);
  }

  /** A listener that records nothing. */
  static final TuningJobRunner.Listener QUIET =
      new TuningJobRunner.Listener() {
        @Override
        public void onStep(int step, int totalSteps, double loss, double tokensPerSecond) {}

        @Override
        public void onPhase(String phase) {}
      };
}
