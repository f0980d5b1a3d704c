package io.ascribe.inference.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.inference.TinyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuningJobVerifierTest {
  @TempDir static Path dir;
  static TuningJobSpec spec;
  static TuningJobResult honest;
  static TuningJobResult otherSeed;
  static final TuningJobVerifier VERIFIER = new TuningJobVerifier();
  static final TuningJobVerifier.Tolerance TOL = TuningJobVerifier.Tolerance.DEFAULT;

  @BeforeAll
  static void runJobs() {
    Path base = TinyModel.write(dir.resolve("base"), 21);
    spec = Jobs.capitals(base, TuningJobSpec.Method.LORA, 1);
    honest = new TuningJobRunner().run(spec, dir.resolve("honest"), Jobs.QUIET);
    otherSeed =
        new TuningJobRunner()
            .run(
                Jobs.capitals(base, TuningJobSpec.Method.LORA, 2),
                dir.resolve("other"),
                Jobs.QUIET);
  }

  private static TuningJobVerifier.Verification verify(
      Path adapter, double loss, double rouge, Map<String, Double> influence) {
    return VERIFIER.verify(spec, adapter, loss, rouge, influence, 99, 8, TOL);
  }

  @Test
  void anHonestResultIsAcceptedWithTheSameFigures() {
    TuningJobVerifier.Verification v =
        verify(honest.adapterFile(), honest.evalLoss(), honest.rougeL(), honest.influence());
    assertThat(v.accepted()).as(v.reason()).isTrue();
    assertThat(v.failed()).isNull();
    assertThat(v.evalLoss()).isEqualTo(honest.evalLoss());
    assertThat(v.rougeL()).isEqualTo(honest.rougeL());
    // On the same CPU the sample's influence is recomputed exactly.
    v.influence().forEach((id, score) -> assertThat(score).isEqualTo(honest.influence().get(id)));
    assertThat(v.influence()).hasSize(8);
    // A smaller sample is a seeded subset.
    TuningJobVerifier.Verification three =
        VERIFIER.verify(
            spec,
            honest.adapterFile(),
            honest.evalLoss(),
            honest.rougeL(),
            honest.influence(),
            5,
            3,
            TOL);
    assertThat(three.accepted()).isTrue();
    assertThat(three.influence()).hasSize(3);
    assertThat(TuningJobVerifier.sample(spec.train(), 5, 3))
        .isEqualTo(TuningJobVerifier.sample(spec.train(), 5, 3))
        .isNotEqualTo(TuningJobVerifier.sample(spec.train(), 6, 3));
  }

  @Test
  void anHonestResultAsTheChainKeepsItIsAccepted() {
    // The chain records each score in fixed point (×10⁹, truncated) and the node hands the
    // verifier those figures back; the rounding must not turn an honest result into a rejection.
    Map<String, Double> onChain = new LinkedHashMap<>();
    honest.influence().forEach((id, v) -> onChain.put(id, (long) (v * 1e9) / 1e9));
    TuningJobVerifier.Verification v =
        verify(honest.adapterFile(), honest.evalLoss(), honest.rougeL(), onChain);
    assertThat(v.accepted()).as(v.reason()).isTrue();
    // And the scores are not so small that the fixed point flattens them.
    assertThat(onChain.values().stream().distinct().count()).isEqualTo(onChain.size());
  }

  @Test
  void madeUpMetricsAreRejectedWithTheRecomputedFigures() {
    TuningJobVerifier.Verification loss =
        verify(honest.adapterFile(), honest.evalLoss() * 0.5, honest.rougeL(), honest.influence());
    assertThat(loss.accepted()).isFalse();
    assertThat(loss.failed()).isEqualTo(TuningJobVerifier.Check.EVAL_LOSS);
    assertThat(loss.evalLoss()).isEqualTo(honest.evalLoss());
    assertThat(loss.reason()).contains("eval loss claimed");

    TuningJobVerifier.Verification rouge =
        verify(honest.adapterFile(), honest.evalLoss(), honest.rougeL() + 0.3, honest.influence());
    assertThat(rouge.failed()).isEqualTo(TuningJobVerifier.Check.ROUGE_L);
  }

  @Test
  void anotherAdapterThanTheOneTheFiguresCameFromIsRejected() {
    TuningJobVerifier.Verification v =
        verify(otherSeed.adapterFile(), honest.evalLoss(), honest.rougeL(), honest.influence());
    assertThat(v.accepted()).isFalse();
    assertThat(v.failed())
        .isIn(TuningJobVerifier.Check.EVAL_LOSS, TuningJobVerifier.Check.INFLUENCE);
    // Its own figures do not save it either: the eval figures match, but the spec's seed is not
    // the one it was trained with, and nothing in the file says so; what binds an adapter to its
    // job is the hash the executor posts, which the node checks on fetch.
    TuningJobVerifier.Verification own =
        verify(
            otherSeed.adapterFile(),
            otherSeed.evalLoss(),
            otherSeed.rougeL(),
            otherSeed.influence());
    assertThat(own.evalLoss()).isEqualTo(otherSeed.evalLoss());
  }

  @Test
  void inflatedOrMissingInfluenceIsRejected() {
    Map<String, Double> inflated = new LinkedHashMap<>(honest.influence());
    String id = spec.train().get(3).id();
    double largest =
        honest.influence().values().stream().mapToDouble(Math::abs).max().orElseThrow();
    // Raised by a fifth of the largest score: twice the tolerance, whatever DataInf's scale.
    inflated.put(id, inflated.get(id) + 0.2 * largest);
    TuningJobVerifier.Verification v =
        verify(honest.adapterFile(), honest.evalLoss(), honest.rougeL(), inflated);
    assertThat(v.accepted()).isFalse();
    assertThat(v.failed()).isEqualTo(TuningJobVerifier.Check.INFLUENCE);
    assertThat(v.reason()).contains(id);

    Map<String, Double> missing = new LinkedHashMap<>(honest.influence());
    missing.remove(id);
    assertThat(verify(honest.adapterFile(), honest.evalLoss(), honest.rougeL(), missing).failed())
        .isEqualTo(TuningJobVerifier.Check.INFLUENCE);
  }

  @Test
  void aCorruptAdapterFileIsRejectedNamingTheFile() throws Exception {
    byte[] bytes = Files.readAllBytes(honest.adapterFile());
    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    TuningJobVerifier.Verification v =
        verify(cut, honest.evalLoss(), honest.rougeL(), honest.influence());
    assertThat(v.accepted()).isFalse();
    assertThat(v.failed()).isEqualTo(TuningJobVerifier.Check.ADAPTER);
    assertThat(v.reason()).contains(cut.toString()).contains("truncated or corrupt");
    assertThat(v.evalLoss()).isNaN();
  }
}
