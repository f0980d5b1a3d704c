package io.ascribe.inference.rag;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.Generator;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The cost of RAG attribution as a ratio to plain generation of the same answers (issue 8): a
 * seeded random decoder (hidden 128, 4 layers, byte tokens, context 1024) answers several prompts
 * from a 200-document on-disk index, and for each setting of masks and batch size the harness
 * prints the medians over the prompts of retrieval, generation, ablation forward passes and the
 * surrogate fit, and the ratio (generation + attribution) / generation; "distinct" counts the masks
 * that need a forward pass (a mask drawn twice is scored once). The baseline is a plain {@link
 * Generator} run on the same prompt in the same process, timed just before each answer. Run by
 * {@code scripts/bench-rag.sh}; arguments {@code prompts=5 tokens=32 k=4 masks=8,16,32
 * batches=1,8,32}.
 */
public final class RagBench {
  private RagBench() {}

  public static void main(String[] args) throws IOException {
    int prompts = 5;
    int tokens = 32;
    int k = 4;
    int[] maskCounts = {8, 16, 32};
    int[] batches = {1, 8, 32};
    for (String a : args) {
      String[] kv = a.split("=", 2);
      switch (kv[0]) {
        case "prompts" -> prompts = Integer.parseInt(kv[1]);
        case "tokens" -> tokens = Integer.parseInt(kv[1]);
        case "k" -> k = Integer.parseInt(kv[1]);
        case "masks" -> maskCounts = ints(kv[1]);
        case "batches" -> batches = ints(kv[1]);
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    LlamaConfig config =
        new LlamaConfig(128, 344, 4, 4, 2, ByteTokenizer.VOCAB_SIZE, 1e-5, 10000, 1024, false);
    ByteTokenizer tok = new ByteTokenizer();
    Path dir = Files.createTempDirectory("rag-bench");
    try (NDManager manager = NDManager.newBaseManager(Torch.ENGINE);
        LlamaModel model = ModelFactory.create(config, 1, manager);
        RetrievalIndex index = RetrievalIndex.open(dir, new Embedder(model, tok, manager))) {
      Random r = new Random(2);
      long t0 = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        index.add(String.format(Locale.ROOT, "doc-%03d", i), sentence(r, 14));
      }
      index.commit();
      System.out.printf(
          Locale.ROOT,
          "indexed 200 documents in %.0f ms; model hidden %d, %d layers, context %d; %d prompts,"
              + " k %d, %d answer tokens (greedy, no EOS stop)%n",
          (System.nanoTime() - t0) / 1e6,
          config.hiddenSize(),
          config.numHiddenLayers(),
          config.maxPositionEmbeddings(),
          prompts,
          k,
          tokens);
      List<String> questions = new ArrayList<>();
      for (int i = 0; i < prompts; i++) {
        questions.add(sentence(r, 8) + "?");
      }
      RagAnswerer rag = new RagAnswerer(model, tok, index, manager);
      // Random weights rarely emit EOS; no stop sequences, so every answer has `tokens` tokens.
      Generator.Options gen =
          new Generator.Options(
              tokens, new io.ascribe.inference.Sampling.Greedy(), List.of(), true);
      Generator plain = new Generator(model, tok);
      // Warm-up: libtorch's first calls allocate and pick kernels.
      rag.answer(questions.getFirst(), options(k, gen, 8, 8));
      System.out.println(
          "masks distinct batch | retrieval ms  generation ms  baseline ms  ablation ms  fit ms"
              + " | ratio  prompt tokens");
      for (int n : maskCounts) {
        for (int b : batches) {
          if (b > n) {
            continue;
          }
          double[] ret = new double[prompts];
          double[] gn = new double[prompts];
          double[] base = new double[prompts];
          double[] abl = new double[prompts];
          double[] fit = new double[prompts];
          double[] ratio = new double[prompts];
          int promptTokens = 0;
          for (int p = 0; p < prompts; p++) {
            String q = questions.get(p);
            List<RetrievalIndex.Doc> docs = new ArrayList<>();
            for (RetrievalIndex.Hit h : index.search(q, k)) {
              docs.add(new RetrievalIndex.Doc(h.id(), h.text()));
            }
            int[] ids = rag.promptTokens(q, docs);
            promptTokens = Math.max(promptTokens, ids.length);
            long s = System.nanoTime();
            plain.generate(ids, gen, manager);
            base[p] = (System.nanoTime() - s) / 1e6;
            RagAnswer a = rag.answer(q, options(k, gen, n, b));
            Timings t = a.timings();
            ret[p] = t.retrievalNanos() / 1e6;
            gn[p] = t.generationNanos() / 1e6;
            abl[p] = t.ablationNanos() / 1e6;
            fit[p] = t.fitNanos() / 1e6;
            ratio[p] = (double) (t.generationNanos() + t.attributionNanos()) / t.generationNanos();
          }
          System.out.printf(
              Locale.ROOT,
              "%5d %8d %5d | %12.1f  %13.1f  %11.1f  %11.1f  %6.2f | %5.2f  %d%n",
              n,
              distinct(ContextCite.masks(k, n, SEED)),
              b,
              median(ret),
              median(gn),
              median(base),
              median(abl),
              median(fit),
              median(ratio),
              promptTokens);
        }
      }
    }
  }

  private static RagAnswerer.Options options(int k, Generator.Options gen, int masks, int batch) {
    return new RagAnswerer.Options(
        k, gen, ContextCite.Options.defaults(SEED).withMasks(masks).withBatchSize(batch));
  }

  private static final long SEED = 7;

  private static long distinct(boolean[][] masks) {
    return Arrays.stream(masks).map(Arrays::toString).distinct().count();
  }

  private static final String[] WORDS = {
    "river",
    "mill",
    "wheat",
    "flour",
    "bread",
    "stone",
    "bridge",
    "valley",
    "winter",
    "harvest",
    "market",
    "copper",
    "lantern",
    "garden",
    "orchard",
    "shepherd",
    "meadow",
    "tower",
    "harbour",
    "sailor",
    "forest",
    "candle",
    "weaver",
    "cloth",
    "salt",
    "honey",
    "barley",
    "well",
    "road",
    "king",
    "village",
    "storm",
    "north",
    "south",
    "old",
    "quiet",
    "bright",
    "the",
    "of",
    "and"
  };

  private static String sentence(Random r, int words) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < words; i++) {
      b.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
