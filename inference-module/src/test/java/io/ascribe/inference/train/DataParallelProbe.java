package io.ascribe.inference.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.ascribe.inference.Torch;
import io.ascribe.inference.bench.FlopModel;
import io.ascribe.inference.bench.Stats;
import io.ascribe.inference.bench.TuningBench;
import io.ascribe.inference.data.JsonlDataset;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Would data parallelism over the two cores lift LoRA's FLOP share? Times the tuning bench's LoRA
 * forward + backward on batches of 8, interleaved with the 1024³ product: with libtorch's default
 * threads, one pass (what training does); started with one intra-op thread, each batch as two
 * halves of 4 on two Java threads, every half on a replica of the model and adapter of its own (so
 * nothing is shared but the cores). AdamW is left out of both. Run with {@code
 * scripts/bench-data-parallel.sh}; a probe for a design decision, not a benchmark of the product.
 */
public final class DataParallelProbe {
  private DataParallelProbe() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int reps = Integer.getInteger("reps", 30);
    Path base = work.resolve(TuningBench.Settings.full().baseName());
    TuningBench.Settings s = TuningBench.Settings.full();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (NDManager manager = Torch.engine().newBaseManager();
        LlamaModel one = LlamaModel.load(base, manager);
        LlamaModel two = LlamaModel.load(base, manager)) {
      Trainable loraOne = TuningBench.method("lora", s).applyTo(one);
      Trainable loraTwo = TuningBench.method("lora", s).applyTo(two);
      for (Trainable t : List.of(loraOne, loraTwo)) {
        t.namedParameters().values().forEach(p -> p.setRequiresGradient(true));
      }
      List<Example> data =
          JsonlDataset.read(work.resolve("gcide-train-s1.jsonl")).examples().subList(0, 8 * 400);
      Trainer trainer = new Trainer(one, new ByteTokenizer());
      int threads = JniUtils.getNumThreads();
      // libtorch's threads are per process: the whole batch runs at its default threads, the
      // halves in a process started with one (see the script), so each runs as it would alone.
      boolean halvesOnly = threads == 1;
      List<Double> whole = new ArrayList<>();
      List<Double> halves = new ArrayList<>();
      List<Double> matmul = new ArrayList<>();
      long tokens = 0;
      try (NDManager fixed = manager.newSubManager()) {
        NDArray a = fixed.randomNormal(new Shape(1024, 1024));
        NDArray b = fixed.randomNormal(new Shape(1024, 1024));
        for (int rep = 0; rep < reps + 3; rep++) {
          boolean keep = rep >= 3;
          List<Example> batch = data.subList(rep * 8, rep * 8 + 8);
          Trainer.Batch all = trainer.batch(batch);
          Trainer.Batch first = trainer.batch(batch.subList(0, 4));
          Trainer.Batch second = trainer.batch(batch.subList(4, 8));

          long t0 = System.nanoTime();
          try (NDArray c = a.matMul(b)) {
            c.getFloat(0, 0);
          }
          long t1 = System.nanoTime();
          if (!halvesOnly) {
            forwardBackward(one, all, manager);
          }
          long t2 = System.nanoTime();
          if (halvesOnly) {
            Future<?> f1 = pool.submit(() -> forwardBackward(one, first, manager));
            Future<?> f2 = pool.submit(() -> forwardBackward(two, second, manager));
            f1.get();
            f2.get();
          }
          long t3 = System.nanoTime();
          clear(loraOne);
          clear(loraTwo);
          if (keep) {
            matmul.add((t1 - t0) / 1e9);
            whole.add((t2 - t1) / 1e9);
            halves.add((t3 - t2) / 1e9);
            tokens += all.tokens();
          }
        }
      }
      double perToken =
          FlopModel.perToken(
              one.config(), "lora", (double) tokens / reps / 8, 16, loraOne.parameterCount());
      double flop = perToken * tokens / reps;
      double peak = TuningBench.MATMUL_FLOP / Stats.median(matmul);
      System.out.printf("1024³ matmul at %d threads: %.1f GFLOP/s%n", threads, peak / 1e9);
      double t = Stats.median(halvesOnly ? halves : whole);
      System.out.printf(
          "forward + backward of a batch of 8 (%d real tokens on average) %s: %.1f ms,"
              + " %.1f GFLOP/s%n",
          tokens / reps,
          halvesOnly ? "as two halves on two Java threads" : "in one pass",
          t * 1e3,
          flop / t / 1e9);
    } finally {
      pool.shutdown();
    }
  }

  // One forward and backward pass with autograd on for this thread alone (DJL's collector is one
  // per process), the gradients left in the adapter's arrays.
  private static void forwardBackward(LlamaModel model, Trainer.Batch b, NDManager parent) {
    JniUtils.setGradMode(true);
    try (NDManager m = parent.newSubManager()) {
      NDArray ids = m.create(b.inputs(), new Shape(b.batch(), b.len()));
      NDArray targets = m.create(b.targets(), new Shape(b.targets().length));
      NDArray mask = m.create(b.mask(), new Shape(b.mask().length));
      NDArray loss = Trainer.loss(model.forwardUnpadded(ids, b.lengths(), true), targets, mask);
      JniUtils.backward((PtNDArray) loss, (PtNDArray) m.ones(loss.getShape()), false, false);
    } finally {
      JniUtils.setGradMode(false);
    }
  }

  private static void clear(Trainable t) {
    for (NDArray p : t.namedParameters().values()) {
      NDArray g = p.getGradient();
      g.subi(g);
    }
  }
}
