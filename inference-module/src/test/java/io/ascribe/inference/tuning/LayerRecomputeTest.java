package io.ascribe.inference.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.ascribe.inference.ClassManager;
import io.ascribe.inference.Torch;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Training with each layer's activations recomputed in the backward pass ({@link
 * LlamaModel#backwardRecomputing}) must train the same arrays as the ordinary pass over the whole
 * graph: same loss, same gradients, for every method, with the dropout masks of the forward pass
 * seen again when a layer is recomputed.
 */
class LayerRecomputeTest {
  static final LlamaConfig TINY = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);
  // Rows of 7, 12 and 3 tokens in a grid 12 wide: the 3-token row attends in a grid of its own.
  static final int[] LENGTHS = {7, 12, 3};
  static final int WIDTH = 12;
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  private static long[] ids(Random r) {
    long[] ids = new long[LENGTHS.length * WIDTH];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(ByteTokenizer.VOCAB_SIZE);
    }
    return ids;
  }

  // A loss over the real tokens' logits that reaches every logit: minus the mean log-probability
  // of each row's token ids shifted by one.
  private static Function<NDArray, NDArray> objective(long[] ids, NDManager m) {
    long[] targets = new long[java.util.Arrays.stream(LENGTHS).sum()];
    int at = 0;
    for (int row = 0; row < LENGTHS.length; row++) {
      for (int c = 0; c < LENGTHS[row]; c++) {
        targets[at++] = ids[row * WIDTH + (c + 1) % WIDTH];
      }
    }
    NDArray t = m.create(targets, new Shape(targets.length, 1));
    return logits -> logits.logSoftmax(-1).gather(t, -1).mean().neg();
  }

  private static List<NDArray> trainable(LlamaModel model, TuningMethod method, Random r) {
    List<NDArray> params = new ArrayList<>();
    for (var p : method.applyTo(model).namedParameters().entrySet()) {
      // B is zero when fresh: give it values so LoRA's A gets a gradient too.
      if (p.getKey().endsWith("lora_B.weight")) {
        double[] v = new double[Math.toIntExact(p.getValue().size())];
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
          v[i] = r.nextGaussian() * 0.1;
          f[i] = (float) v[i];
        }
        if (model.dtype() == DataType.FLOAT64) {
          p.getValue().set(v);
        } else {
          p.getValue().set(f);
        }
      }
      p.getValue().setRequiresGradient(true);
      params.add(p.getValue());
    }
    return params;
  }

  // The gradients of the params, read and then cleared.
  private static List<double[]> takeGradients(List<NDArray> params) {
    List<double[]> out = new ArrayList<>();
    for (NDArray p : params) {
      NDArray g = p.getGradient();
      out.add(g.toType(DataType.FLOAT64, false).toDoubleArray());
      g.subi(g);
    }
    return out;
  }

  @Test
  void recomputingTheLayersGivesTheLossAndGradientsOfTheWholeGraph() {
    Map<String, TuningMethod> methods = new LinkedHashMap<>();
    methods.put("lora", new TuningMethod.Lora(new LoraConfig(8, 16, 0, LlamaModel.PROJECTIONS), 5));
    methods.put(
        "qlora", new TuningMethod.QLora(new LoraConfig(8, 16, 0, LlamaModel.PROJECTIONS), 5));
    methods.put("ptuning", new TuningMethod.PrefixTuning(4, 5));
    methods.put("full", new TuningMethod.Full());
    methods.put("full, tied", new TuningMethod.Full());
    double scale = 0.375;
    for (Map.Entry<String, TuningMethod> e : methods.entrySet()) {
      Random r = new Random(81);
      LlamaConfig config = TINY.withTiedEmbeddings(e.getKey().endsWith("tied"));
      try (LlamaModel model = ModelFactory.create(config, 82, MANAGER.get());
          NDManager step = MANAGER.get().newSubManager()) {
        List<NDArray> params = trainable(model, e.getValue(), r);
        long[] raw = ids(r);
        NDArray batch = step.create(raw, new Shape(LENGTHS.length, WIDTH));
        Function<NDArray, NDArray> objective = objective(raw, step);

        float whole;
        try (GradientCollector gc = Torch.engine().newGradientCollector()) {
          NDArray loss = objective.apply(model.forwardUnpadded(batch, LENGTHS, true));
          whole = loss.getFloat();
          gc.backward(loss.mul(Torch.scalar(step, scale)));
        }
        List<double[]> expected = takeGradients(params);
        double recomputed;
        try (GradientCollector gc = Torch.engine().newGradientCollector()) {
          recomputed = model.backwardRecomputing(gc, batch, LENGTHS, objective, scale, 83, true);
        }
        List<double[]> actual = takeGradients(params);

        assertThat(recomputed).as(e.getKey()).isEqualTo(whole);
        for (int i = 0; i < params.size(); i++) {
          for (int j = 0; j < expected.get(i).length; j++) {
            double want = expected.get(i)[j];
            assertThat(actual.get(i)[j])
                .as("%s gradient %d[%d]", e.getKey(), i, j)
                .isCloseTo(want, Offset.offset(1e-6 + 1e-5 * Math.abs(want)));
          }
        }
        // The gradients compared are not all zero.
        double largest =
            expected.stream()
                .flatMapToDouble(java.util.Arrays::stream)
                .map(Math::abs)
                .max()
                .orElseThrow();
        assertThat(largest).as(e.getKey()).isGreaterThan(1e-3);
      }
    }
  }

  @Test
  void withDropoutEachRecomputedLayerSeesTheMasksOfTheForwardPass() {
    // float64 and a central difference along one random direction of all LoRA arrays: with every
    // layer's masks drawn from the same seed in both passes the loss is a smooth function of the
    // arrays and the difference matches the gradient to ~1e-9; a recomputed layer that drew other
    // masks than the forward pass (half the inputs dropped) would be far off.
    LoraConfig dropout = new LoraConfig(4, 8, 0.5, LlamaModel.PROJECTIONS);
    Random r = new Random(84);
    try (LlamaModel model = ModelFactory.create(TINY, 85, MANAGER.get(), DataType.FLOAT64);
        NDManager step = MANAGER.get().newSubManager()) {
      List<NDArray> params = trainable(model, new TuningMethod.Lora(dropout, 86), r);
      long[] raw = ids(r);
      NDArray batch = step.create(raw, new Shape(LENGTHS.length, WIDTH));
      Function<NDArray, NDArray> objective = objective(raw, step);
      long seed = 87;
      try (GradientCollector gc = Torch.engine().newGradientCollector()) {
        model.backwardRecomputing(gc, batch, LENGTHS, objective, 1, seed, true);
      }
      List<double[]> gradients = takeGradients(params);
      List<double[]> direction = new ArrayList<>();
      double slope = 0;
      for (double[] g : gradients) {
        double[] d = new double[g.length];
        for (int j = 0; j < d.length; j++) {
          d[j] = r.nextGaussian();
          slope += d[j] * g[j];
        }
        direction.add(d);
      }
      double h = 1e-5;
      double plus = lossAt(model, params, direction, h, batch, objective, seed);
      double minus = lossAt(model, params, direction, -h, batch, objective, seed);
      double difference = (plus - minus) / (2 * h);
      assertThat(Math.abs(slope)).isGreaterThan(1e-3);
      assertThat(difference).isCloseTo(slope, Offset.offset(1e-6 * Math.abs(slope)));
    }
  }

  // The recomputing pass's loss with every param moved by t along its direction (then restored).
  private static double lossAt(
      LlamaModel model,
      List<NDArray> params,
      List<double[]> direction,
      double t,
      NDArray batch,
      Function<NDArray, NDArray> objective,
      long seed) {
    List<double[]> original = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      double[] w = params.get(i).toDoubleArray();
      original.add(w.clone());
      for (int j = 0; j < w.length; j++) {
        w[j] += t * direction.get(i)[j];
      }
      params.get(i).set(w);
    }
    double loss;
    try (GradientCollector gc = Torch.engine().newGradientCollector()) {
      loss = model.backwardRecomputing(gc, batch, LENGTHS, objective, 1, seed, true);
    }
    takeGradients(params);
    for (int i = 0; i < params.size(); i++) {
      params.get(i).set(original.get(i));
    }
    return loss;
  }
}
