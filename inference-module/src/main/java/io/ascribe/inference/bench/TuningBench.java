package io.ascribe.inference.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.inference.Generator;
import io.ascribe.inference.Torch;
import io.ascribe.inference.eval.Rouge;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.tokenizer.Tokenizer;
import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.Schedule;
import io.ascribe.inference.train.TrainConfig;
import io.ascribe.inference.train.Trainer;
import io.ascribe.inference.tuning.TuningMethod;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tuning benchmark's steps: derive and cache the data (KJV text, GCIDE pairs, a seeded
 * train/test split), pretrain the small byte-level base on the KJV once (cached by its settings),
 * and fine-tune it with one method, measuring what {@link MethodResult} holds. Each method is meant
 * to run in a process of its own so that its peak RSS is its own; the caller (the {@code ascribe
 * bench tuning} command) spawns them and prints {@link TuningTable#markdown}.
 */
public final class TuningBench {
  /** The methods in table order. */
  public static final List<String> METHODS = List.of("lora", "ptuning", "qlora", "full");

  /** Pairs held out of training; a run scores the first {@link Settings#testPrompts} of them. */
  public static final int HELD_OUT = 1000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STATUS_KB = Pattern.compile("(?m)^(\\w+):\\s+(\\d+) kB");

  private TuningBench() {}

  /**
   * The knobs of a run. {@link #full()} is the table's run; {@link #quick()} a smoke run of a
   * minute or two that exercises every step with tiny budgets.
   */
  public record Settings(
      int pretrainSteps,
      int pretrainBatch,
      int chunkLength,
      int tuneSteps,
      int tuneBatch,
      int testPrompts,
      int maxNewTokens,
      int loraRank,
      int prefixLength,
      long seed,
      long tuneSeed) {
    public static Settings full() {
      return new Settings(400, 16, 128, 200, 8, 100, 100, 8, 16, 1, 1);
    }

    public static Settings quick() {
      return new Settings(10, 8, 128, 8, 4, 4, 24, 8, 16, 1, 1);
    }

    /**
     * Fine-tunes from another seed (adapter initialisation and batch order), on the same base and
     * split: to see how much a method's figures owe to one draw.
     */
    public Settings withTuneSeed(long n) {
      return new Settings(
          pretrainSteps,
          pretrainBatch,
          chunkLength,
          tuneSteps,
          tuneBatch,
          testPrompts,
          maxNewTokens,
          loraRank,
          prefixLength,
          seed,
          n);
    }

    public Settings withTuneSteps(int n) {
      return new Settings(
          pretrainSteps,
          pretrainBatch,
          chunkLength,
          n,
          tuneBatch,
          testPrompts,
          maxNewTokens,
          loraRank,
          prefixLength,
          seed,
          tuneSeed);
    }

    public Settings withPretrainSteps(int n) {
      return new Settings(
          n,
          pretrainBatch,
          chunkLength,
          tuneSteps,
          tuneBatch,
          testPrompts,
          maxNewTokens,
          loraRank,
          prefixLength,
          seed,
          tuneSeed);
    }

    public Settings withTestPrompts(int n) {
      return new Settings(
          pretrainSteps,
          pretrainBatch,
          chunkLength,
          tuneSteps,
          tuneBatch,
          n,
          maxNewTokens,
          loraRank,
          prefixLength,
          seed,
          tuneSeed);
    }

    /**
     * The base model's cache directory name: a changed width, learning rate or pretraining setting
     * is another base (a cached base of another shape is refused when it is read, see {@link
     * #pretrain}).
     */
    public String baseName() {
      return "base-kjv-h"
          + baseConfig().hiddenSize()
          + "-lr"
          + PRETRAIN_LEARNING_RATE
          + "-"
          + pretrainSteps
          + "x"
          + pretrainBatch
          + "x"
          + chunkLength
          + "-s"
          + seed;
    }
  }

  /**
   * Pretraining's peak AdamW learning rate: half the 3e-3 the 256-wide base pretrained at, which at
   * 512 wide ends the 400 steps at a loss of 1.61 where 1.5e-3 ends at 1.45.
   */
  public static final double PRETRAIN_LEARNING_RATE = 1.5e-3;

  /**
   * The base: a Llama-style decoder of about 9.7 M parameters over bytes (hidden 512, 4 layers, 8
   * query and 4 key/value heads of 64, SwiGLU 1024, context 256, untied embeddings). At half the
   * width (2.49 M parameters, the benchmark's base before commit 1505af6) a LoRA step's 1 300-odd
   * small operations (element-wise work, the attention's batched products, LoRA's rank-8 products)
   * took as long as the base's products, and its FLOP/s stayed at 35-43% of the plain product's
   * (see the module's README, "Why the base is 512 wide").
   */
  public static LlamaConfig baseConfig() {
    return new LlamaConfig(512, 1024, 4, 8, 4, ByteTokenizer.VOCAB_SIZE, 1e-5, 10000, 256, false);
  }

  /** The data split the methods share. */
  public record Split(List<Example> train, List<Example> test) {}

  /** The KJV's text, derived once into {@code work/kjv.txt}. */
  public static String kjv(Path work) throws IOException {
    Path cached = work.resolve("kjv.txt");
    if (!Files.exists(cached)) {
      writeAtomically(cached, KjvText.read());
    }
    return Files.readString(cached, StandardCharsets.UTF_8);
  }

  /**
   * GCIDE's pairs split by {@code seed} into {@link #HELD_OUT} test pairs (of which the first
   * {@code testSize} are returned) and the rest for training, derived once into {@code
   * work/gcide-train.jsonl} and {@code gcide-test.jsonl} (the JSONL that {@code ascribe tune} and
   * {@code ascribe eval} read, so a row can be reproduced by hand).
   */
  public static Split split(Path work, int testSize, long seed) throws IOException {
    Path train = work.resolve("gcide-train-s" + seed + ".jsonl");
    Path test = work.resolve("gcide-test-s" + seed + ".jsonl");
    if (!Files.exists(train) || !Files.exists(test)) {
      List<Example> all = new ArrayList<>();
      for (GcideDictionary.Definition d :
          GcideDictionary.read(GcideDictionary.INDEX, GcideDictionary.DICT)) {
        all.add(d.toExample());
      }
      Split s = split(all, HELD_OUT, seed);
      writeJsonl(train, s.train());
      writeJsonl(test, s.test());
    }
    List<Example> testAll = readJsonl(test);
    return new Split(readJsonl(train), testAll.subList(0, Math.min(testSize, testAll.size())));
  }

  /** A seeded shuffle of {@code all}: the first {@code testSize} are the test set. */
  public static Split split(List<Example> all, int testSize, long seed) {
    if (all.size() <= testSize) {
      throw new IllegalArgumentException(
          "need more than " + testSize + " pairs to hold " + testSize + " out, got " + all.size());
    }
    List<Example> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(seed));
    return new Split(
        List.copyOf(shuffled.subList(testSize, shuffled.size())),
        List.copyOf(shuffled.subList(0, testSize)));
  }

  /**
   * The pretrained base in {@code work/<settings>}: trained here on {@code text} with full
   * fine-tuning's trainer (the prompt empty, so every byte counts) unless it is already there.
   */
  public static Path pretrain(Path work, Settings s, Consumer<String> log) throws IOException {
    Path dir = work.resolve(s.baseName());
    if (Files.exists(dir.resolve("pretrain.json"))) {
      LlamaConfig cached = LlamaConfig.read(dir.resolve(LlamaModel.CONFIG_FILE));
      if (!cached.equals(baseConfig())) {
        throw new IOException(
            dir + " holds a base of another shape than this bench's; delete it to pretrain again");
      }
      log.accept("using the pretrained base in " + dir);
      return dir;
    }
    String text = kjv(work);
    List<Example> chunks = new ArrayList<>();
    for (String c : KjvText.chunks(text, s.chunkLength())) {
      chunks.add(new Example("", c));
    }
    log.accept(
        String.format(
            "pretraining %s on the KJV (%,d characters in %,d chunks): %d steps of %d",
            dir, text.length(), chunks.size(), s.pretrainSteps(), s.pretrainBatch()));
    TrainConfig config =
        new TrainConfig(
            PRETRAIN_LEARNING_RATE,
            0.01,
            0.9,
            0.95,
            1e-8,
            s.pretrainSteps(),
            s.pretrainBatch(),
            1.0,
            s.seed(),
            new Schedule.WarmupCosine(Math.max(1, s.pretrainSteps() / 20), 0.1),
            1);
    try (NDManager manager = Torch.engine().newBaseManager();
        LlamaModel model = ModelFactory.create(baseConfig(), s.seed(), manager)) {
      Trainer trainer = new Trainer(model, new ByteTokenizer());
      List<Double> losses = new ArrayList<>();
      int every = Math.max(1, s.pretrainSteps() / 20);
      Trainer.Result r =
          trainer.fineTune(
              new TuningMethod.Full(),
              chunks,
              config,
              manager,
              p -> {
                losses.add(p.loss());
                if (p.step() % every == 0 || p.step() == p.totalSteps()) {
                  log.accept(
                      String.format(
                          "pretrain step %d/%d  loss %.4f  %,.0f tokens/s",
                          p.step(), p.totalSteps(), p.loss(), p.tokensPerSecond()));
                }
              });
      r.trainable().close();
      Path tmp = work.resolve(s.baseName() + ".tmp");
      model.save(tmp);
      ObjectNode info = JSON.createObjectNode();
      info.put("corpus", "King James Bible (bible-kjv-text)");
      info.put("steps", s.pretrainSteps());
      info.put("batch", s.pretrainBatch());
      info.put("chunk_length", s.chunkLength());
      info.put("seed", s.seed());
      info.put("learning_rate", PRETRAIN_LEARNING_RATE);
      info.put("final_loss", TuningTable.finalLoss(losses, TuningTable.WINDOW));
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("pretrain.json").toFile(), info);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    }
    return dir;
  }

  /** Fine-tunes the base in {@code baseDir} with {@code method} and measures it. */
  public static MethodResult run(
      String method, Path baseDir, Split split, Settings s, Consumer<String> log)
      throws IOException {
    TuningMethod tuning = method(method, s);
    try (NDManager manager = Torch.engine().newBaseManager();
        // QLoRA's base is quantised as it loads, as ascribe tune loads it.
        LlamaModel model = LlamaModel.load(baseDir, manager, tuning.quantizesBase())) {
      List<Double> matmulTimes = new ArrayList<>(matmulSeconds(manager));
      log.accept(
          String.format(
              "%s: plain 1024³ float32 matmul %.2f GFLOP/s before training",
              method, MATMUL_FLOP / Stats.median(matmulTimes) / 1e9));
      Tokenizer tokenizer = new ByteTokenizer();
      long baseParameters =
          LlamaModel.expectedShapes(model.config()).values().stream()
              .mapToLong(sh -> java.util.Arrays.stream(sh).reduce(1, (a, b) -> a * b))
              .sum();
      List<Double> seconds = new ArrayList<>();
      List<Long> tokens = new ArrayList<>();
      List<Double> losses = new ArrayList<>();
      Trainer trainer = new Trainer(model, tokenizer);
      trainer.setRecomputeLayers(tuning.recomputesLayers());
      int every = Math.max(1, s.tuneSteps() / 10);
      Trainer.Listener listener =
          p -> {
            seconds.add(p.tokens() / p.tokensPerSecond());
            tokens.add(p.tokens());
            losses.add(p.loss());
            if (p.step() % every == 0 || p.step() == p.totalSteps()) {
              log.accept(
                  String.format(
                      "%s step %d/%d  loss %.4f  %,.0f tokens/s",
                      method, p.step(), p.totalSteps(), p.loss(), p.tokensPerSecond()));
            }
          };
      TrainConfig config =
          TrainConfig.lora(learningRate(method), s.tuneSteps(), s.tuneBatch(), s.tuneSeed())
              .withSchedule(new Schedule.WarmupCosine(Math.max(1, s.tuneSteps() / 20), 0.1));
      Trainer.Result r = trainer.fineTune(tuning, split.train(), config, manager, listener);
      try (Trainable trainable = r.trainable()) {
        // Measured again after training: on a shared machine the load may have changed since.
        matmulTimes.addAll(matmulSeconds(manager));
        double matmul = MATMUL_FLOP / Stats.median(matmulTimes);
        log.accept(
            String.format(
                "%s: plain matmul %.2f GFLOP/s before and after training", method, matmul / 1e9));
        long baseBytes = model.baseWeightBytes();
        double bits = model.projectionBitsPerParameter();
        double meanLen = meanSequenceLength(split.train(), tokenizer);
        double flopsPerToken =
            FlopModel.perToken(
                model.config(), method, meanLen, s.prefixLength(), trainable.parameterCount());
        double testLoss = testLoss(trainer, split.test(), tokenizer, manager);
        List<Double> r1 = new ArrayList<>();
        List<Double> r2 = new ArrayList<>();
        List<Double> rl = new ArrayList<>();
        List<MethodResult.Sample> samples = new ArrayList<>();
        Generator generator = new Generator(model, tokenizer);
        for (Example e : split.test()) {
          String out =
              generator
                  .generate(e.prompt(), Generator.Options.greedy(s.maxNewTokens()), manager)
                  .text()
                  .strip();
          Rouge.Scores sc = Rouge.score(e.response(), out);
          r1.add(sc.rouge1().fmeasure());
          r2.add(sc.rouge2().fmeasure());
          rl.add(sc.rougeL().fmeasure());
          if (samples.size() < 3) {
            samples.add(new MethodResult.Sample(e.prompt().strip(), e.response(), out));
          }
        }
        return new MethodResult(
            method,
            trainable.parameterCount(),
            baseParameters,
            baseBytes,
            bits,
            peakRssBytes(),
            seconds,
            tokens,
            losses,
            flopsPerToken,
            matmul,
            testLoss,
            r1,
            r2,
            rl,
            samples);
      }
    }
  }

  /** The tuning method of a table row; LoRA and QLoRA adapt all seven projections. */
  public static TuningMethod method(String name, Settings s) {
    LoraConfig lora = new LoraConfig(s.loraRank(), 2.0 * s.loraRank(), 0, LlamaModel.PROJECTIONS);
    return switch (name) {
      case "lora" -> new TuningMethod.Lora(lora, s.tuneSeed());
      case "qlora" -> new TuningMethod.QLora(lora, s.tuneSeed());
      case "ptuning" -> new TuningMethod.PrefixTuning(s.prefixLength(), s.tuneSeed());
      case "full" -> new TuningMethod.Full();
      default ->
          throw new IllegalArgumentException(
              "unknown method '" + name + "'; use one of " + String.join(", ", METHODS));
    };
  }

  /**
   * Peak learning rates: each method's usual order of magnitude for a model this small (adapters
   * train fast at 2e-3; prefixes need larger steps; full fine-tuning smaller ones).
   */
  public static double learningRate(String method) {
    return switch (method) {
      case "ptuning" -> 1e-2;
      case "full" -> 5e-4;
      default -> 2e-3;
    };
  }

  /** FLOPs of the plain matmul: a 1024×1024 by 1024×1024 product, 2 per multiply-add. */
  public static final double MATMUL_FLOP = 2.0 * 1024 * 1024 * 1024;

  /** Seconds of ten 1024×1024 by 1024×1024 float32 products on the engine's device (after two). */
  public static List<Double> matmulSeconds(NDManager parent) {
    int n = 1024;
    try (NDManager m = parent.newSubManager()) {
      Random random = new Random(7);
      float[] v = new float[n * n];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) random.nextGaussian();
      }
      NDArray a = m.create(v, new Shape(n, n));
      NDArray b = m.create(v, new Shape(n, n)).transpose().duplicate();
      List<Double> times = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        long t0 = System.nanoTime();
        try (NDArray c = a.matMul(b)) {
          c.getFloat(0, 0); // waits for the product on an asynchronous device
        }
        if (i >= 2) {
          times.add((System.nanoTime() - t0) / 1e9);
        }
      }
      return times;
    }
  }

  /** The process's peak resident set (VmHWM) in bytes; 0 where /proc is not there. */
  public static long peakRssBytes() {
    return statusBytes("VmHWM");
  }

  /**
   * A size field of {@code /proc/self/status} ({@code VmRSS}, {@code VmHWM}, ...) in bytes; 0 where
   * /proc or the field is not there.
   */
  public static long statusBytes(String field) {
    try {
      Matcher m = STATUS_KB.matcher(Files.readString(Path.of("/proc/self/status")));
      while (m.find()) {
        if (m.group(1).equals(field)) {
          return Long.parseLong(m.group(2)) * 1024;
        }
      }
      return 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static double meanSequenceLength(List<Example> examples, Tokenizer t) {
    int n = Math.min(examples.size(), 2000);
    long sum = 0;
    for (Example e : examples.subList(0, n)) {
      sum += t.encode(e.prompt()).length + t.encode(e.response()).length + 1;
    }
    return (double) sum / n;
  }

  // Mean loss per response token over the test set, in batches of 32.
  private static double testLoss(
      Trainer trainer, List<Example> test, Tokenizer t, NDManager manager) {
    double sum = 0;
    long count = 0;
    for (int i = 0; i < test.size(); i += 32) {
      List<Example> batch = test.subList(i, Math.min(test.size(), i + 32));
      long tokens = 0;
      for (Example e : batch) {
        tokens += t.encode(e.response()).length + 1;
      }
      sum += trainer.evaluate(batch, manager) * tokens;
      count += tokens;
    }
    return sum / count;
  }

  /** Writes a result for the parent process to read. */
  public static void writeResult(MethodResult r, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), r);
  }

  public static MethodResult readResult(Path file) throws IOException {
    return JSON.readValue(file.toFile(), MethodResult.class);
  }

  private static void writeJsonl(Path file, List<Example> examples) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (Example e : examples) {
        ObjectNode o = JSON.createObjectNode();
        o.put("prompt", e.prompt());
        o.put("response", e.response());
        w.write(JSON.writeValueAsString(o));
        w.write('\n');
      }
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static List<Example> readJsonl(Path file) {
    return io.ascribe.inference.data.JsonlDataset.read(file).examples();
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
