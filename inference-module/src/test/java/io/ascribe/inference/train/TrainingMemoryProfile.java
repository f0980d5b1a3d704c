package io.ascribe.inference.train;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.Torch;
import io.ascribe.inference.bench.TuningBench;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.tuning.TuningMethod;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What QLoRA's memory saving comes to, on a model large enough for its weights and activations, not
 * the JVM, to be most of a process: a random-initialised Llama of about 90 M parameters (hidden
 * 1024, 8 layers or {@code -Dlayers}, MLP 2816, 16 query and 4 key/value heads, the byte
 * tokenizer's 258 tokens), written once under the work directory. Each case — LoRA and QLoRA (rank
 * 8 on all seven projections), each with and without recomputing the layers — runs in a JVM of its
 * own and reports its resident set: after the engine loads, its peak while loading the base, and
 * its peak over {@code -Dsteps} (default 2) training steps of {@code -Dbatch} (4) sequences of
 * about 128 bytes, measured from the resident set after loading (the peak is reset there through
 * {@code /proc/self/clear_refs}). Run with {@code scripts/bench-training-memory.sh}.
 */
public final class TrainingMemoryProfile {
  // -Dlayers=N for a deeper model (the saving grows with the layers; the transient does not).
  static final LlamaConfig SHAPE =
      new LlamaConfig(
          1024,
          2816,
          Integer.getInteger("layers", 8),
          16,
          4,
          ByteTokenizer.VOCAB_SIZE,
          1e-5,
          10000,
          256,
          false);
  private static final String RESULT = "result ";

  private TrainingMemoryProfile() {}

  /** One case's figures, in bytes and seconds. */
  record Figures(
      String method,
      boolean recompute,
      long baseBytes,
      long engine,
      long loadPeak,
      long afterLoad,
      long trainPeak,
      double stepSeconds) {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    Path model = work.resolve("memory-model-1024x" + SHAPE.numHiddenLayers());
    String only = System.getProperty("case");
    if (only != null) {
      String[] c = only.split(",");
      Figures f = run(model, c[0], Boolean.parseBoolean(c[1]));
      System.out.printf(
          Locale.ROOT,
          "%s%s %s %d %d %d %d %d %.3f%n",
          RESULT,
          f.method(),
          f.recompute(),
          f.baseBytes(),
          f.engine(),
          f.loadPeak(),
          f.afterLoad(),
          f.trainPeak(),
          f.stepSeconds());
      return;
    }
    if (!Files.exists(model.resolve(LlamaModel.WEIGHTS_FILE))) {
      System.out.println("writing the random-initialised model to " + model);
      try (NDManager m = Torch.engine().newBaseManager()) {
        ModelFactory.write(SHAPE, 1, model, m);
      }
    }
    // -Drecomputing=only skips the cases that keep every layer's activations (the slow, large
    // ones on a deep model).
    boolean onlyRecomputing = "only".equals(System.getProperty("recomputing"));
    List<Figures> all = new ArrayList<>();
    for (String method : List.of("lora", "qlora")) {
      for (boolean recompute : new boolean[] {false, true}) {
        if (recompute || !onlyRecomputing) {
          all.add(child(work, method, recompute));
        }
      }
    }
    System.out.println();
    System.out.println(
        "| method | recompute layers | base weights | RSS with the engine loaded | peak while"
            + " loading | RSS after loading | peak while training | training peak above the"
            + " loaded engine | step |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Figures f : all) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s | %s | %s | %s | %s | %.1f s |%n",
          f.method(),
          f.recompute() ? "yes" : "no",
          mib(f.baseBytes()),
          mib(f.engine()),
          mib(f.loadPeak()),
          mib(f.afterLoad()),
          mib(f.trainPeak()),
          mib(f.trainPeak() - f.engine()),
          f.stepSeconds());
    }
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%,.0f MiB", bytes / 1048576.0);
  }

  // Runs one case in a JVM of its own (the same java, options and class path), so that its peak
  // resident set is its own.
  private static Figures child(Path work, String method, boolean recompute) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-Dcase=" + method + "," + recompute);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(TrainingMemoryProfile.class.getName());
    cmd.add(work.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Figures f = null;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith(RESULT)) {
          String[] v = line.substring(RESULT.length()).split(" ");
          f =
              new Figures(
                  v[0],
                  Boolean.parseBoolean(v[1]),
                  Long.parseLong(v[2]),
                  Long.parseLong(v[3]),
                  Long.parseLong(v[4]),
                  Long.parseLong(v[5]),
                  Long.parseLong(v[6]),
                  Double.parseDouble(v[7]));
        } else {
          System.out.println("  [" + method + (recompute ? ", recompute" : "") + "] " + line);
        }
      }
    }
    if (p.waitFor() != 0 || f == null) {
      throw new IllegalStateException(method + " (recompute " + recompute + ") failed");
    }
    return f;
  }

  private static Figures run(Path dir, String method, boolean recompute) throws IOException {
    try (NDManager manager = Torch.engine().newBaseManager()) {
      manager.ones(new ai.djl.ndarray.types.Shape(2)).sum().getFloat(); // libtorch loaded
      long engine = TuningBench.statusBytes("VmRSS");
      try (LlamaModel model = LlamaModel.load(dir, manager, method.equals("qlora"))) {
        long loadPeak = TuningBench.statusBytes("VmHWM");
        System.gc();
        resetPeak();
        long afterLoad = TuningBench.statusBytes("VmRSS");
        LoraConfig lora = new LoraConfig(8, 16, 0, LlamaModel.PROJECTIONS);
        TuningMethod tuning =
            method.equals("qlora")
                ? new TuningMethod.QLora(lora, 1)
                : new TuningMethod.Lora(lora, 1);
        int steps = Integer.getInteger("steps", 2);
        int batch = Integer.getInteger("batch", 4);
        Trainer trainer = new Trainer(model, new ByteTokenizer());
        trainer.setRecomputeLayers(recompute);
        List<Double> seconds = new ArrayList<>();
        try (Trainable t = tuning.applyTo(model)) {
          trainer.train(
              t,
              texts(batch * steps),
              TrainConfig.lora(1e-3, steps, batch, 1),
              manager,
              p -> {
                seconds.add(p.tokens() / p.tokensPerSecond());
                System.out.printf(
                    Locale.ROOT,
                    "step %d/%d  loss %.4f  %.1f s  resident %s%n",
                    p.step(),
                    p.totalSteps(),
                    p.loss(),
                    seconds.getLast(),
                    mib(TuningBench.statusBytes("VmRSS")));
              },
              null);
        }
        return new Figures(
            method,
            recompute,
            model.baseWeightBytes(),
            engine,
            loadPeak,
            afterLoad,
            TuningBench.statusBytes("VmHWM"),
            seconds.getLast());
      }
    }
  }

  // Seeded lowercase "sentences" of about 128 bytes: memory depends on the token count only.
  private static List<Example> texts(int n) {
    Random r = new Random(1);
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder prompt = new StringBuilder();
      StringBuilder response = new StringBuilder();
      while (prompt.length() < 60) {
        prompt.append((char) ('a' + r.nextInt(26)));
      }
      while (response.length() < 64) {
        response.append((char) ('a' + r.nextInt(26)));
      }
      out.add(new Example(prompt.toString(), response.toString()));
    }
    return out;
  }

  // Linux: writing 5 to clear_refs sets the peak resident set (VmHWM) to the current one.
  private static void resetPeak() throws IOException {
    Files.writeString(Path.of("/proc/self/clear_refs"), "5");
  }
}
