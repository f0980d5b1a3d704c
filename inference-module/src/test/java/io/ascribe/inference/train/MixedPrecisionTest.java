package io.ascribe.inference.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.ascribe.inference.ClassManager;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.model.Precision;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.tuning.TuningMethod;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trainer's precision: float32 on CPU (these tests' device), and the float16 path with loss
 * scaling forced on CPU, where libtorch runs float16 kernels too.
 */
class MixedPrecisionTest {
  static final LlamaConfig TINY = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);
  static final ByteTokenizer TOK = new ByteTokenizer();
  static final LoraConfig LORA = new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj"));
  static final List<Example> DATA =
      List.of(
          new Example("city: Lima\ncountry:", " peru"),
          new Example("city: Oslo\ncountry:", " norway"),
          new Example("city: Rome\ncountry:", " italy"));
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  @Test
  void onTheCpuTrainingRunsInFloat32() {
    assertThat(MANAGER.get().getDevice().isGpu()).as("these tests run on CPU").isFalse();
    try (LlamaModel model = ModelFactory.create(TINY, 3, MANAGER.get())) {
      List<Precision> seen = new ArrayList<>();
      Trainer.Result r =
          new Trainer(model, TOK)
              .fineTune(
                  new TuningMethod.Lora(LORA, 4),
                  DATA,
                  TrainConfig.lora(1e-2, 2, 3, 5),
                  MANAGER.get(),
                  p -> seen.add(model.precision()));
      r.trainable().close();
      assertThat(seen).containsExactly(Precision.FP32, Precision.FP32);
      assertThat(model.precision()).isEqualTo(Precision.FP32);
    }
  }

  @Test
  void float16WithLossScalingTracksFloat32AndTrainsFloat32MasterWeights() {
    List<List<Double>> runs = new ArrayList<>();
    for (Precision precision : List.of(Precision.FP32, Precision.FP16)) {
      try (LlamaModel model = ModelFactory.create(TINY, 3, MANAGER.get())) {
        Trainer trainer = new Trainer(model, TOK);
        trainer.setPrecision(precision);
        List<Precision> seen = new ArrayList<>();
        Trainer.Result r =
            trainer.fineTune(
                new TuningMethod.Lora(LORA, 4),
                DATA,
                TrainConfig.lora(2e-2, 12, 3, 5),
                MANAGER.get(),
                p -> seen.add(model.precision()));
        assertThat(seen).containsOnly(precision);
        assertThat(model.precision()).as("restored after the run").isEqualTo(Precision.FP32);
        for (NDArray p : r.trainable().namedParameters().values()) {
          assertThat(p.getDataType()).isEqualTo(DataType.FLOAT32);
        }
        for (NDArray w : model.weights().values()) {
          assertThat(w.getDataType()).isEqualTo(DataType.FLOAT32);
        }
        runs.add(r.losses());
        r.trainable().close();
      }
    }
    List<Double> fp32 = runs.get(0);
    List<Double> fp16 = runs.get(1);
    assertThat(fp16.getLast()).isLessThan(fp16.getFirst() - 0.2);
    assertThat(fp16).isNotEqualTo(fp32);
    for (int i = 0; i < fp32.size(); i++) {
      assertThat(fp16.get(i)).as("step %d", i + 1).isCloseTo(fp32.get(i), within(0.01));
    }
  }

  @Test
  void overflowingStepsAreSkippedAndTheScaleHalvesUntilGradientsFit() {
    try (LlamaModel model = ModelFactory.create(TINY, 3, MANAGER.get())) {
      Trainer trainer = new Trainer(model, TOK);
      trainer.setPrecision(Precision.FP16);
      // 2^40 times the loss overflows float16's 65504 in the backward pass at once.
      trainer.setInitialLossScale(Math.pow(2, 40));
      List<Trainer.Progress> steps = new ArrayList<>();
      Trainer.Result r =
          trainer.fineTune(
              new TuningMethod.Lora(LORA, 4),
              DATA,
              TrainConfig.lora(2e-2, 40, 3, 5),
              MANAGER.get(),
              steps::add);
      long skipped = steps.stream().filter(p -> !Double.isFinite(p.gradNorm())).count();
      assertThat(steps.get(0).gradNorm()).as("first step overflows").isNotFinite();
      assertThat(skipped).isBetween(10L, 35L);
      assertThat(steps.getLast().gradNorm()).isFinite();
      // Skipped steps left A and B as they were: nothing non-finite reached the weights.
      for (NDArray p : r.trainable().namedParameters().values()) {
        for (float v : p.toFloatArray()) {
          assertThat(v).isFinite();
        }
      }
      assertThat(steps.getLast().loss()).isLessThan(steps.getFirst().loss());
      r.trainable().close();
    }
  }

  @Test
  void theScaleHalvesOnOverflowAndDoublesAfterAnIntervalOfFiniteSteps() {
    LossScaler s = new LossScaler(true, 1024, 0);
    s.update(false);
    assertThat(s.scale()).isEqualTo(512);
    for (int i = 0; i < LossScaler.GROWTH_INTERVAL - 1; i++) {
      s.update(true);
    }
    assertThat(s.scale()).isEqualTo(512);
    s.update(true);
    assertThat(s.scale()).isEqualTo(1024);
    assertThat(s.goodSteps()).isZero();
    LossScaler off = LossScaler.forPrecision(Precision.FP32, LossScaler.INITIAL_SCALE);
    off.update(false);
    assertThat(off.active()).isFalse();
    assertThat(off.scale()).isEqualTo(1);
  }
}
