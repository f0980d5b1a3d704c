package io.ascribe.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.train.Example;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The table's derived columns and its markdown, on results made up to have known answers. */
class TuningTableTest {
  private static MethodResult result(
      String method, List<Double> losses, double stepSeconds, long bytes, double bits) {
    return result(method, losses, stepSeconds, bytes, bits, List.of(0.4, 0.6));
  }

  private static MethodResult result(
      String method,
      List<Double> losses,
      double stepSeconds,
      long bytes,
      double bits,
      List<Double> rougeL) {
    int n = losses.size();
    return new MethodResult(
        method,
        1000,
        1_000_000,
        bytes,
        bits,
        512L * 1024 * 1024,
        Collections.nCopies(n, stepSeconds),
        Collections.nCopies(n, 100L),
        losses,
        1e6,
        1e9,
        2.5,
        List.of(0.5, 0.5),
        List.of(0.25, 0.25),
        rougeL,
        List.of(new MethodResult.Sample("Define X:", "An x.", "An x.")));
  }

  @Test
  void timeToLossIsTheTimeThroughTheFirstStepWhoseWindowMeanReachesTheTarget() {
    List<Double> losses = List.of(5.0, 4.0, 3.0, 2.0, 1.0);
    List<Double> secs = List.of(1.0, 1.0, 1.0, 2.0, 2.0);
    // Window 2: means 4.5, 3.5, 2.5, 1.5; 2.5 is reached at step 4 (index 3), after 5 seconds.
    assertThat(TuningTable.timeToLoss(losses, secs, 2.5, 2)).isEqualTo(OptionalDouble.of(5.0));
    assertThat(TuningTable.timeToLoss(losses, secs, 1.5, 2)).isEqualTo(OptionalDouble.of(7.0));
    assertThat(TuningTable.timeToLoss(losses, secs, 1.0, 2)).isEmpty();
    assertThat(TuningTable.finalLoss(losses, 2)).isEqualTo(1.5);
    assertThat(TuningTable.finalLoss(List.of(3.0), 10)).isEqualTo(3.0);
  }

  @Test
  void markdownHasARowPerMethodWithTheSpeedUpToPtuningsLoss() {
    List<Double> slow = new ArrayList<>();
    List<Double> fast = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      slow.add(3.0 - i * 0.025); // ends near 2.0; final 10-step mean 2.1125
      fast.add(3.0 - i * 0.1); // passes 2.1125 early
    }
    MethodResult ptuning = result("ptuning", slow, 0.5, 4_000_000, 32);
    MethodResult lora = result("lora", fast, 0.25, 4_000_000, 32);
    MethodResult qlora = result("qlora", fast, 1.0, 600_000, 4.127);
    String md = TuningTable.markdown(List.of(lora, ptuning, qlora));
    String[] lines = md.split("\n");
    assertThat(lines).hasSize(5);
    assertThat(lines[0]).startsWith("| method ").contains("ROUGE-L ± s.e.", "speed-up vs P-tuning");
    assertThat(lines[1]).matches("\\|[-|: ]+\\|");
    // Every line is as wide as the header: the columns line up.
    for (String l : lines) {
      assertThat(l).hasSameSizeAs(lines[0]);
    }
    double target = TuningTable.finalLoss(slow, TuningTable.WINDOW);
    double pt = TuningTable.timeToLoss(slow, ptuning.stepSeconds(), target, 10).getAsDouble();
    double lo = TuningTable.timeToLoss(fast, lora.stepSeconds(), target, 10).getAsDouble();
    assertThat(lines[2])
        .startsWith("| lora ")
        .contains(String.format(java.util.Locale.ROOT, "%.2fx", pt / lo))
        .contains("50.0 ± 10.0")
        .contains("250 ms")
        .contains("400")
        .contains("2.000x");
    assertThat(lines[3]).startsWith("| ptuning ").endsWith(" 1.00x |");
    assertThat(lines[4]).contains("0.57 MiB (4.127 bit/proj. weight)").contains("0.300x");
  }

  @Test
  void targetsSayWhetherTheyWereMet() {
    List<Double> slow = new ArrayList<>();
    List<Double> fast = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      slow.add(3.0 - i * 0.025);
      fast.add(3.0 - i * 0.1);
    }
    // P-tuning reaches its final 10-step mean (2.1375) at step 40 (20 s); LoRA, whose 10-step
    // mean is 3.45 - 0.1 i, at step 15 (index 14) of 0.25 s: 3.75 s, 5.33x.
    List<String> t =
        TuningTable.targets(
            List.of(
                result("lora", fast, 0.25, 4_000_000, 32),
                result("ptuning", slow, 0.5, 4_000_000, 32),
                result("qlora", fast, 1.0, 600_000, 4.127)));
    assertThat(t).hasSize(3);
    assertThat(t.get(0)).contains("5.33x", "+0.0 points", ": met");
    assertThat(t.get(1))
        .contains("whole base 0.300x (not met)", "projections 0.258x (met)", "+0.0 (met)");
    assertThat(t.get(2)).contains("40.0% (not met)");

    // QLoRA's ROUGE-L may not fall more than a point below LoRA's; above it is no loss.
    List<Double> curve = List.of(3.0, 2.0);
    MethodResult lora = result("lora", curve, 0.25, 4_000_000, 32);
    assertThat(
            TuningTable.targets(
                    List.of(lora, result("qlora", curve, 1, 600_000, 4.127, List.of(0.42, 0.62))))
                .get(0))
        .contains("below LoRA's: +2.0 (met)");
    assertThat(
            TuningTable.targets(
                    List.of(lora, result("qlora", curve, 1, 600_000, 4.127, List.of(0.38, 0.58))))
                .get(0))
        .contains("below LoRA's: -2.0 (not met)");
    assertThat(TuningTable.targets(List.of(result("full", fast, 1, 4, 32)))).isEmpty();
  }

  @Test
  void aMethodThatNeverReachesTheTargetSaysSo() {
    MethodResult ptuning = result("ptuning", List.of(3.0, 1.0), 1, 4, 32);
    MethodResult full = result("full", List.of(3.0, 2.9), 1, 4, 32);
    assertThat(TuningTable.markdown(List.of(ptuning, full))).contains("not reached");
  }

  @Test
  void derivedFigures() {
    MethodResult r = result("lora", List.of(2.0, 1.0, 1.5), 0.5, 1_000_000, 32);
    assertThat(r.medianStepSeconds()).isEqualTo(0.5);
    assertThat(r.tokensPerSecond()).isEqualTo(200.0);
    // 1e6 FLOPs per token × 200 tokens/s against a 1 GFLOP/s matmul.
    assertThat(r.flopShare()).isCloseTo(0.2, within(1e-12));
    assertThat(r.baseBytesVs16Bit()).isEqualTo(0.5);
  }

  @Test
  void numbersAreWrittenForPeople() {
    assertThat(TuningTable.count(2_490_000)).isEqualTo("2.49 M");
    assertThat(TuningTable.count(36_864)).isEqualTo("36.9 k");
    assertThat(TuningTable.count(512)).isEqualTo("512");
    assertThat(TuningTable.mib(3 * 1024 * 1024 / 2)).isEqualTo("1.50 MiB");
    assertThat(TuningTable.percent(0.4567)).isEqualTo("45.7");
    assertThat(TuningTable.percent(Double.NaN)).isEqualTo("–");
  }

  @Test
  void theSplitIsSeededAndDisjoint() {
    List<Example> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(new Example("Define w" + i + ":\n", "Word " + i + "."));
    }
    TuningBench.Split a = TuningBench.split(all, 10, 3);
    TuningBench.Split b = TuningBench.split(all, 10, 3);
    TuningBench.Split c = TuningBench.split(all, 10, 4);
    assertThat(a).isEqualTo(b);
    assertThat(a.test()).hasSize(10).doesNotContainAnyElementsOf(a.train());
    assertThat(a.train()).hasSize(40);
    assertThat(c.test()).isNotEqualTo(a.test());
  }

  @Test
  void flopModelCountsTheBackwardPassPerMethod() {
    LlamaConfig c = LlamaConfig.tiny(258);
    // tiny: hidden 64, intermediate 128, 2 layers, 4 heads of 16, 2 KV heads (kv dim 32).
    long projections = 2L * (64 * 64 + 2 * 32 * 64 + 64 * 64 + 3 * 64 * 128);
    double forward = 2.0 * (projections + 258L * 64) + 4.0 * 64 * 20 * 2;
    assertThat(FlopModel.perToken(c, "full", 20, 16, 0)).isEqualTo(3 * forward);
    assertThat(FlopModel.perToken(c, "lora", 20, 16, 1000)).isEqualTo(2 * forward + 6000);
    assertThat(FlopModel.perToken(c, "ptuning", 20, 16, 1000))
        .isEqualTo(2 * (forward + 4.0 * 64 * 16 * 2));
  }
}
