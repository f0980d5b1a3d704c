package io.ascribe.inference.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import io.ascribe.inference.Torch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Which NF4 embedding lookup is cheaper on this machine: dequantising only the gathered rows
 * ({@link Nf4Weight#dequantizeRows}) or the whole table and then looking the tokens up. For the
 * tuning benchmark's table (258 × 256) and a 32 000 × 1024 one, at a decoding step's few tokens and
 * a training batch's few hundred, it prints the median time of each over interleaved runs. Run with
 * {@code scripts/bench-nf4-lookup.sh}.
 */
public final class Nf4LookupBenchmark {
  private static final int RUNS = Integer.getInteger("runs", 30);

  private Nf4LookupBenchmark() {}

  public static void main(String[] args) {
    try (NDManager manager = NDManager.newBaseManager(Torch.ENGINE)) {
      measure(manager, 258, 256, new int[] {1, 8, 64, 320, 2048});
      measure(manager, 32_000, 1024, new int[] {1, 8, 320, 2048});
    }
  }

  private static void measure(NDManager manager, int vocab, int hidden, int[] counts) {
    Random r = new Random(1);
    float[] w = new float[vocab * hidden];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (r.nextGaussian() * 0.02);
    }
    try (Nf4Weight table = Nf4Weight.of(Nf4.quantize(w, new long[] {vocab, hidden}), manager)) {
      for (int n : counts) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
          ids[i] = r.nextInt(vocab);
        }
        List<Double> rows = new ArrayList<>();
        List<Double> whole = new ArrayList<>();
        for (int run = 0; run < RUNS + 3; run++) {
          for (int way = 0; way < 2; way++) {
            try (NDManager step = manager.newSubManager()) {
              NDArray idArray = step.create(ids, new Shape(1, n)).toType(DataType.INT64, false);
              long start = System.nanoTime();
              NDArray out =
                  way == 0
                      ? table.dequantizeRows(idArray, step)
                      : Embedding.embedding(idArray, table.dequantize(step), SparseFormat.DENSE)
                          .singletonOrThrow();
              out.toFloatArray(); // forces the computation
              double ms = (System.nanoTime() - start) / 1e6;
              if (run >= 3) {
                (way == 0 ? rows : whole).add(ms);
              }
            }
          }
        }
        System.out.println(
            String.format(
                Locale.ROOT,
                "table %d x %d, %d tokens: rows %.3f ms, whole table %.3f ms",
                vocab,
                hidden,
                n,
                median(rows),
                median(whole)));
      }
    }
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
