package io.ascribe.inference.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.ascribe.inference.ClassManager;
import io.ascribe.inference.Torch;
import io.ascribe.inference.lora.LoraAdapter;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Autograd's gradients of the LoRA and prefix parameters against central differences of the loss,
 * on the tiny seeded Llama held in float64 (the engine and model take it; the adapters follow their
 * base's dtype). In float64 the central difference {@code (L(w+h) - L(w-h)) / 2h} with h = 1e-5 is
 * off by its truncation, h²·L'''/6, and by rounding, about ε·|L|/h ≈ 1e-16·5.5/1e-5 ≈ 5e-11 per
 * evaluation (measured: at most 1e-10 absolute, under 1e-7 relative on the entries of largest
 * gradient). The bound {@code |g - d| ≤ 1e-6·max(|g|, |d|) + 1e-9} leaves a margin of 10 over that,
 * while an error in the backward pass is far outside it: without the LoRA scale alpha/r = 4 in the
 * backward path autograd is off by 75%. In float32 the rounding term alone would be ~1e-3 of a
 * typical gradient, too coarse to tell small errors from noise.
 */
class GradientCheckTest {
  static final LlamaConfig TINY = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);
  static final ByteTokenizer TOK = new ByteTokenizer();
  static final double H = 1e-5;
  static final double RELATIVE = 1e-6;
  static final double ABSOLUTE = 1e-9;
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  /** BOS text: the tokens the loss is over, each predicting the next. */
  private static int[] sequence(String text) {
    int[] body = TOK.encode(text);
    int[] s = new int[body.length + 1];
    s[0] = TOK.bos();
    System.arraycopy(body, 0, s, 1, body.length);
    return s;
  }

  /** Mean next-token cross-entropy of {@code seq} (float64, tracked when a collector is open). */
  private static NDArray loss(LlamaModel model, int[] seq, NDManager m) {
    int n = seq.length - 1;
    int[] in = java.util.Arrays.copyOf(seq, n);
    long[] targets = new long[n];
    for (int i = 0; i < n; i++) {
      targets[i] = seq[i + 1];
    }
    NDArray logits = model.forward(LlamaModel.ids(m, in), null, false);
    NDArray t = m.create(targets, new Shape(1, n, 1));
    return logits.logSoftmax(-1).gather(t, -1).mean().neg();
  }

  private static double lossValue(LlamaModel model, int[] seq) {
    try (NDManager m = MANAGER.get().newSubManager()) {
      return loss(model, seq, m).getDouble();
    }
  }

  /** One parameter entry's two gradients. */
  record Check(String name, int index, double autograd, double difference) {
    double error() {
      return Math.abs(autograd - difference);
    }

    boolean withinBound() {
      return error() <= RELATIVE * Math.max(Math.abs(autograd), Math.abs(difference)) + ABSOLUTE;
    }
  }

  /**
   * For each named array: its entry of largest autograd gradient and two seeded random entries,
   * autograd's gradient there and the central difference.
   */
  private static List<Check> check(LlamaModel model, Map<String, NDArray> params, int[] seq) {
    for (NDArray p : params.values()) {
      p.setRequiresGradient(true);
    }
    Map<String, double[]> grads = new java.util.LinkedHashMap<>();
    try (NDManager m = MANAGER.get().newSubManager();
        GradientCollector gc = Torch.engine().newGradientCollector()) {
      gc.backward(loss(model, seq, m));
    }
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray g = e.getValue().getGradient();
      assertThat(g.getDataType()).isEqualTo(DataType.FLOAT64);
      grads.put(e.getKey(), g.toDoubleArray());
      g.close();
    }
    Random random = new Random(7);
    List<Check> out = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      double[] g = grads.get(e.getKey());
      int largest = 0;
      for (int i = 1; i < g.length; i++) {
        if (Math.abs(g[i]) > Math.abs(g[largest])) {
          largest = i;
        }
      }
      for (int i : new int[] {largest, random.nextInt(g.length), random.nextInt(g.length)}) {
        NDArray p = e.getValue();
        double[] w = p.toDoubleArray();
        double original = w[i];
        w[i] = original + H;
        p.set(w);
        double plus = lossValue(model, seq);
        w[i] = original - H;
        p.set(w);
        double minus = lossValue(model, seq);
        w[i] = original;
        p.set(w);
        out.add(new Check(e.getKey(), i, g[i], (plus - minus) / (2 * H)));
      }
    }
    return out;
  }

  private static void assertAgree(List<Check> checks) {
    for (Check c : checks) {
      assertThat(c.withinBound())
          .as(
              "%s[%d]: autograd %.12e, central difference %.12e (error %.2e)",
              c.name(), c.index(), c.autograd(), c.difference(), c.error())
          .isTrue();
    }
    // The entries of largest gradient are far from zero, so the bound there is a relative one.
    assertThat(checks.stream().mapToDouble(c -> Math.abs(c.autograd())).max().orElseThrow())
        .isGreaterThan(1e-4);
  }

  @Test
  void loraGradientsMatchCentralDifferences() {
    // alpha / r = 16 / 4 = 4: a backward pass without the scale would be off by a factor of 4.
    LoraConfig config = new LoraConfig(4, 16, 0, List.of("q_proj", "v_proj", "down_proj"));
    try (LlamaModel model = ModelFactory.create(TINY, 5, MANAGER.get(), DataType.FLOAT64);
        LoraAdapter lora = LoraAdapter.create(model, config, 6)) {
      assertThat(model.dtype()).isEqualTo(DataType.FLOAT64);
      Map<String, NDArray> named = lora.namedParameters();
      // B starts at zero, where dL/dA is zero too: give B seeded values first.
      Random random = new Random(8);
      for (Map.Entry<String, NDArray> e : named.entrySet()) {
        if (e.getKey().endsWith("lora_B.weight")) {
          double[] b = new double[Math.toIntExact(e.getValue().size())];
          for (int i = 0; i < b.length; i++) {
            b[i] = random.nextGaussian() * 0.05;
          }
          e.getValue().set(b);
        }
      }
      model.attach(lora);
      Map<String, NDArray> params = new java.util.LinkedHashMap<>();
      for (String module :
          List.of(
              "model.layers.0.self_attn.q_proj",
              "model.layers.1.self_attn.v_proj",
              "model.layers.0.mlp.down_proj")) {
        params.put(module + ".lora_A.weight", named.get(module + ".lora_A.weight"));
        params.put(module + ".lora_B.weight", named.get(module + ".lora_B.weight"));
      }
      List<Check> checks = check(model, params, sequence("city: Oslo\ncountry: norway"));
      assertThat(checks).hasSize(18);
      assertAgree(checks);
    }
  }

  @Test
  void prefixGradientsMatchCentralDifferences() {
    try (LlamaModel model = ModelFactory.create(TINY, 9, MANAGER.get(), DataType.FLOAT64);
        PrefixAdapter prefix = PrefixAdapter.create(model, 3, 10)) {
      model.attach(prefix);
      Map<String, NDArray> named = prefix.namedParameters();
      Map<String, NDArray> params = new java.util.LinkedHashMap<>();
      for (String name :
          List.of(
              "prefix.layers.0.key",
              "prefix.layers.0.value",
              "prefix.layers.1.key",
              "prefix.layers.1.value")) {
        assertThat(named.get(name).getDataType()).isEqualTo(DataType.FLOAT64);
        params.put(name, named.get(name));
      }
      List<Check> checks = check(model, params, sequence("city: Lima\ncountry: peru"));
      assertThat(checks).hasSize(12);
      assertAgree(checks);
    }
  }
}
