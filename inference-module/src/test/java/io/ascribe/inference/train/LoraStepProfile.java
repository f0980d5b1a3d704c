package io.ascribe.inference.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.ascribe.inference.Torch;
import io.ascribe.inference.bench.FlopModel;
import io.ascribe.inference.bench.Stats;
import io.ascribe.inference.bench.TuningBench;
import io.ascribe.inference.data.JsonlDataset;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a LoRA training step of the tuning benchmark spends its time, and what ceiling the model's
 * own matrix shapes allow: on the benchmark's base and its GCIDE batches (8 pairs, LoRA rank 8 on
 * all seven projections, as {@code ascribe bench tuning} runs it), the median forward (with the
 * loss), backward and AdamW times of a step, interleaved with the plain 1024³ float32 product the
 * table divides by and with the products of the model's own shapes at the step's token count
 * (forward x·Wᵀ, the activation gradient dy·W and the weight gradient dyᵀ·x), each as GFLOP/s. The
 * libtorch thread counts are those of the process, printed first: run it as the benchmark runs
 * (libtorch's default, one intra-op thread per core) or pass {@code -Dai.djl.pytorch.num_threads}.
 * With {@code -Dtrace=FILE} it also records two steps with libtorch's profiler into a Chrome trace;
 * with {@code -Dhidden=N} (and {@code -Dheads=H}) it times a random model of the base's shape at
 * another width instead of the base. Run with {@code scripts/bench-lora-step.sh}.
 */
public final class LoraStepProfile {
  private LoraStepProfile() {}

  /** A product of the model's shapes: (n × k) · (k × m), named for where the model runs it. */
  private record Product(String name, long n, long k, long m) {
    double flop() {
      return 2.0 * n * k * m;
    }
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int reps = Integer.getInteger("reps", 30);
    String trace = System.getProperty("trace");
    // Pairs per step: the table's 8 unless -Dbatch says otherwise (to see how the share moves
    // with the tokens a step's products run on).
    int batch = Integer.getInteger("batch", 8);
    try (NDManager manager = Torch.engine().newBaseManager();
        LlamaModel model = model(work, manager)) {
      System.out.printf(
          "libtorch threads: intra-op %d, inter-op %d%n",
          JniUtils.getNumThreads(), JniUtils.getNumInteropThreads());
      TuningBench.Settings s = TuningBench.Settings.full();
      Trainable lora = TuningBench.method("lora", s).applyTo(model);
      List<Example> data =
          JsonlDataset.read(work.resolve("gcide-train-s1.jsonl"))
              .examples()
              .subList(0, batch * 400);
      Trainer trainer = new Trainer(model, new ByteTokenizer());
      List<Trainer.Batch> batches = new ArrayList<>();
      long padded = 0;
      long real = 0;
      for (int i = 0; i + batch <= data.size(); i += batch) {
        Trainer.Batch b = trainer.batch(data.subList(i, i + batch));
        batches.add(b);
        padded += (long) b.batch() * b.len();
        real += b.tokens();
      }
      System.out.printf(
          "batches of %d: %.1f real tokens, %.1f padded (%.0f%% padding)%n",
          batch,
          (double) real / batches.size(),
          (double) padded / batches.size(),
          100.0 * (padded - real) / padded);
      // The products' rows: the real tokens of a step, which the forward pass runs on (or, with
      // -Drows=padded, the padded grid the attention sees).
      int n =
          Math.toIntExact(
              Math.round(
                  (double) ("padded".equals(System.getProperty("rows")) ? padded : real)
                      / batches.size()));
      TrainConfig config = TrainConfig.lora(2e-3, reps, batch, 1);
      List<Product> products = products(model, n);
      Map<String, List<Double>> times = new LinkedHashMap<>();
      try (AdamW opt = new AdamW(List.copyOf(lora.namedParameters().values()), config, manager);
          NDManager fixed = manager.newSubManager()) {
        Map<Product, NDArray[]> operands = new LinkedHashMap<>();
        for (Product p : products) {
          operands.put(
              p,
              new NDArray[] {
                fixed.randomNormal(new Shape(p.n(), p.k())),
                fixed.randomNormal(new Shape(p.k(), p.m()))
              });
        }
        for (int rep = 0; rep < reps + 3; rep++) {
          boolean keep = rep >= 3;
          Trainer.Batch b = batches.get(rep % batches.size());
          if (trace != null && rep == reps + 1) {
            JniUtils.startProfile(false, true, false);
          }
          step(model, opt, b, manager, keep ? times : new LinkedHashMap<>());
          if (trace != null && rep == reps + 2) {
            JniUtils.stopProfile(trace);
          }
          for (Map.Entry<Product, NDArray[]> e : operands.entrySet()) {
            long t0 = System.nanoTime();
            try (NDArray c = e.getValue()[0].matMul(e.getValue()[1])) {
              c.getFloat(0, 0);
            }
            if (keep) {
              times
                  .computeIfAbsent(e.getKey().name(), k -> new ArrayList<>())
                  .add((System.nanoTime() - t0) / 1e9);
            }
          }
        }
      }
      double stepS = Stats.median(times.get("step"));
      double perToken =
          FlopModel.perToken(
              model.config(),
              "lora",
              (double) real / batches.size() / batch,
              16,
              lora.parameterCount());
      double matmulFlops = TuningBench.MATMUL_FLOP / Stats.median(times.get("matmul 1024³"));
      System.out.printf(
          "median step %.1f ms: forward + loss %.1f, backward %.1f, AdamW %.1f ms%n",
          stepS * 1e3,
          Stats.median(times.get("forward")) * 1e3,
          Stats.median(times.get("backward")) * 1e3,
          Stats.median(times.get("adamw")) * 1e3);
      System.out.printf(
          "minor page faults a step (median): %.0f%n", Stats.median(times.get("faults")));
      System.out.printf(
          "step FLOP/s (FlopModel, real tokens) %.1f G = %.1f%% of the 1024³ matmul's %.1f G%n",
          perToken * real / batches.size() / stepS / 1e9,
          100 * perToken * real / batches.size() / stepS / matmulFlops,
          matmulFlops / 1e9);
      double shapeSeconds = 0;
      double shapeFlop = 0;
      for (Product p : products) {
        double t = Stats.median(times.get(p.name()));
        System.out.printf(
            "  %-34s [%d×%d]·[%d×%d] %7.3f ms %6.1f GFLOP/s (%.0f%%)%n",
            p.name(),
            p.n(),
            p.k(),
            p.k(),
            p.m(),
            t * 1e3,
            p.flop() / t / 1e9,
            100 * p.flop() / t / matmulFlops);
        if (!p.name().startsWith("matmul") && !p.name().startsWith("fused")) {
          int count = p.name().startsWith("head") ? 1 : model.config().numHiddenLayers();
          shapeSeconds += count * t;
          shapeFlop += count * p.flop();
        }
      }
      System.out.printf(
          "the base's products of one step at these shapes (fwd, dx, no dW): %.1f ms, %.1f GFLOP/s"
              + " (%.0f%% of 1024³)%n",
          shapeSeconds * 1e3,
          shapeFlop / shapeSeconds / 1e9,
          100 * shapeFlop / shapeSeconds / matmulFlops);
    }
  }

  // The benchmark's pretrained base, or with -Dhidden=N a random model of its shape at width N
  // (SwiGLU 2N, -Dheads query heads, default N/64, and half as many key/value heads): to see how
  // the share moves with the width. A step's time does not depend on the weights' values.
  private static LlamaModel model(Path work, NDManager manager) throws java.io.IOException {
    Integer hidden = Integer.getInteger("hidden");
    if (hidden == null) {
      return LlamaModel.load(work.resolve(TuningBench.Settings.full().baseName()), manager);
    }
    int heads = Integer.getInteger("heads", hidden / 64);
    if (heads < 2 || heads % 2 != 0 || hidden % heads != 0) {
      throw new IllegalArgumentException(
          "-Dhidden="
              + hidden
              + " -Dheads="
              + heads
              + ": the query heads must be even (half as many key/value heads) and divide the"
              + " width; pass -Dheads");
    }
    LlamaConfig b = TuningBench.baseConfig();
    LlamaConfig c =
        new LlamaConfig(
            hidden,
            2 * hidden,
            b.numHiddenLayers(),
            heads,
            heads / 2,
            b.vocabSize(),
            b.rmsNormEps(),
            b.ropeTheta(),
            b.maxPositionEmbeddings(),
            b.tieWordEmbeddings());
    System.out.printf(
        "a random model of hidden %d, SwiGLU %d, %d query and %d key/value heads%n",
        hidden, 2 * hidden, heads, heads / 2);
    return ModelFactory.create(c, 1, manager);
  }

  private static void step(
      LlamaModel model, AdamW opt, Trainer.Batch b, NDManager parent, Map<String, List<Double>> t) {
    long faults = minorFaults();
    long t0 = System.nanoTime();
    long t1;
    long t2;
    try (GradientCollector gc = Torch.engine().newGradientCollector();
        NDManager m = parent.newSubManager()) {
      NDArray ids = m.create(b.inputs(), new Shape(b.batch(), b.len()));
      NDArray targets = m.create(b.targets(), new Shape(b.targets().length));
      NDArray mask = m.create(b.mask(), new Shape(b.mask().length));
      NDArray loss = Trainer.loss(model.forwardUnpadded(ids, b.lengths(), true), targets, mask);
      loss.getFloat();
      t1 = System.nanoTime();
      gc.backward(loss);
      t2 = System.nanoTime();
    }
    opt.step(2e-3);
    long t3 = System.nanoTime();
    t.computeIfAbsent("faults", k -> new ArrayList<>()).add((double) (minorFaults() - faults));
    t.computeIfAbsent("forward", k -> new ArrayList<>()).add((t1 - t0) / 1e9);
    t.computeIfAbsent("backward", k -> new ArrayList<>()).add((t2 - t1) / 1e9);
    t.computeIfAbsent("adamw", k -> new ArrayList<>()).add((t3 - t2) / 1e9);
    t.computeIfAbsent("step", k -> new ArrayList<>()).add((t3 - t0) / 1e9);
  }

  // The process's minor page faults so far (field 10 of /proc/self/stat): a step whose fresh
  // arrays come from newly mapped pages pays one fault per 4 KiB page it first touches.
  private static long minorFaults() {
    try {
      String stat = java.nio.file.Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[7]);
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  // Forward y = x·Wᵀ of each projection shape, the activation gradient dx = dy·W, and the products
  // a fused q/k/v or gate/up projection would run instead; the 1024³ baseline first.
  private static List<Product> products(LlamaModel model, long n) {
    var c = model.config();
    long h = c.hiddenSize();
    long q = (long) c.numAttentionHeads() * c.headDim();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    long i = c.intermediateSize();
    return List.of(
        new Product("matmul 1024³", 1024, 1024, 1024),
        new Product("q fwd", n, h, q),
        new Product("k fwd", n, h, kv),
        new Product("v fwd", n, h, kv),
        new Product("o fwd", n, q, h),
        new Product("gate fwd", n, h, i),
        new Product("up fwd", n, h, i),
        new Product("down fwd", n, i, h),
        new Product("head fwd", n, h, c.vocabSize()),
        new Product("q dx", n, q, h),
        new Product("k dx", n, kv, h),
        new Product("v dx", n, kv, h),
        new Product("o dx", n, h, q),
        new Product("gate dx", n, i, h),
        new Product("up dx", n, i, h),
        new Product("down dx", n, h, i),
        new Product("head dx", n, c.vocabSize(), h),
        new Product("fused q|k|v fwd", n, h, q + 2 * kv),
        new Product("fused gate|up fwd", n, h, 2 * i),
        new Product("fused q|k|v dx", n, q + 2 * kv, h),
        new Product("fused gate|up dx", n, 2 * i, h));
  }
}
