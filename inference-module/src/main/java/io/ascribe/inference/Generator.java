package io.ascribe.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.ascribe.inference.model.KvCache;
import io.ascribe.inference.model.LeftPadding;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Autoregressive decoding: the next token is chosen by a {@link Sampling} (greedy, or seeded
 * temperature / top-k / top-p) until EOS, a stop sequence or the token budget. With the KV cache
 * the prompt is run once and each step feeds only the newest token; without it every step re-runs
 * the whole sequence (the reference the cache is tested against). {@link #generateBatch} runs
 * several prompts in one left-padded batch, each getting the tokens it would get alone.
 */
public final class Generator {
  /** Why generation ended. */
  public enum StopReason {
    EOS,
    STOP_SEQUENCE,
    LENGTH
  }

  /**
   * What to generate: at most {@code maxNewTokens}, chosen by {@code sampling}, ending early at any
   * of {@code stopSequences} (text, matched on the decoded output so token boundaries do not
   * matter); {@code useCache} turns the KV cache on.
   */
  public record Options(
      int maxNewTokens, Sampling sampling, List<String> stopSequences, boolean useCache) {
    public Options {
      if (maxNewTokens < 0) {
        throw new IllegalArgumentException("maxNewTokens must be ≥ 0, got " + maxNewTokens);
      }
      stopSequences = List.copyOf(stopSequences);
      if (stopSequences.stream().anyMatch(String::isEmpty)) {
        throw new IllegalArgumentException("an empty stop sequence would stop at once");
      }
    }

    public static Options greedy(int maxNewTokens) {
      return new Options(maxNewTokens, new Sampling.Greedy(), List.of(), true);
    }
  }

  /**
   * A generation: every token produced (EOS excluded; a stop sequence's tokens included), the text
   * up to (not including) the first stop sequence, and why it ended.
   */
  public record Result(int[] tokens, String text, StopReason reason) {}

  /**
   * One sequence of a batch: its prompt's token ids as given (the caller adds BOS; {@link #prompt}
   * encodes text and adds it) and its own options: budget, sampling and stop sequences.
   */
  public record Prompt(int[] ids, Options options) {
    public Prompt {
      ids = ids.clone();
      java.util.Objects.requireNonNull(options);
    }

    @Override
    public int[] ids() {
      return ids.clone();
    }
  }

  private final LlamaModel model;
  private final Tokenizer tokenizer;

  public Generator(LlamaModel model) {
    this(model, null);
  }

  public Generator(LlamaModel model, Tokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /** The tokens generated after {@code prompt} (EOS excluded), at most {@code maxNew}. */
  public int[] greedy(int[] prompt, int maxNew, int eos, boolean useCache, NDManager parent) {
    return run(prompt, new Options(maxNew, new Sampling.Greedy(), List.of(), useCache), eos, parent)
        .tokens();
  }

  /** Generates after {@code BOS prompt}. */
  public Result generate(String prompt, Options options, NDManager parent) {
    if (tokenizer == null) {
      throw new IllegalStateException("text generation needs a tokenizer");
    }
    int[] body = tokenizer.encode(prompt);
    int[] ids = new int[body.length + 1];
    ids[0] = tokenizer.bos();
    System.arraycopy(body, 0, ids, 1, body.length);
    return run(ids, options, tokenizer.eos(), parent);
  }

  /**
   * Generates after {@code prompt}, token ids as given (the caller adds BOS): for prompts built
   * from pieces, encoded once as a whole so a tokenizer's merges match the text.
   */
  public Result generate(int[] prompt, Options options, NDManager parent) {
    if (tokenizer == null) {
      throw new IllegalStateException("text generation needs a tokenizer");
    }
    return run(prompt, options, tokenizer.eos(), parent);
  }

  /** {@code BOS text}, encoded, with {@code options}: one prompt of a batch. */
  public Prompt prompt(String text, Options options) {
    if (tokenizer == null) {
      throw new IllegalStateException("text generation needs a tokenizer");
    }
    int[] body = tokenizer.encode(text);
    int[] ids = new int[body.length + 1];
    ids[0] = tokenizer.bos();
    System.arraycopy(body, 0, ids, 1, body.length);
    return new Prompt(ids, options);
  }

  /** Generates after {@code BOS prompt} for each of {@code prompts}, with the same options. */
  public List<Result> generateBatch(List<String> prompts, Options options, NDManager parent) {
    return generateBatch(prompts.stream().map(p -> prompt(p, options)).toList(), parent);
  }

  /**
   * Generates for several prompts at once, in one left-padded batch with one KV cache (or, without
   * the cache, the whole padded batch re-run each step); the results are in the prompts' order.
   * Each sequence has its own budget, sampling (a sampled one draws from its own seeded generator)
   * and stop sequences, and gets the tokens it would get alone: padding is masked and positions are
   * each sequence's own. A finished sequence leaves the batch, the cache dropping its row.
   *
   * @throws IllegalArgumentException when the prompts disagree on {@code useCache}
   */
  public List<Result> generateBatch(List<Prompt> prompts, NDManager parent) {
    if (tokenizer == null) {
      throw new IllegalStateException("text generation needs a tokenizer");
    }
    if (prompts.isEmpty()) {
      return List.of();
    }
    boolean useCache = prompts.getFirst().options().useCache();
    if (prompts.stream().anyMatch(p -> p.options().useCache() != useCache)) {
      throw new IllegalArgumentException(
          "a batch runs with or without the KV cache: give every prompt the same useCache");
    }
    int n = prompts.size();
    Sequence[] seqs = new Sequence[n];
    for (int i = 0; i < n; i++) {
      seqs[i] = new Sequence(prompts.get(i).ids(), prompts.get(i).options());
    }
    Result[] results = new Result[n];
    List<Integer> active = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (seqs[i].budget == 0) {
        results[i] = seqs[i].result(StopReason.LENGTH, null);
      } else {
        active.add(i);
      }
    }
    int eos = tokenizer.eos();
    try (KvCache cache = useCache ? model.newCache(parent) : null) {
      LeftPadding padding = null;
      while (!active.isEmpty()) {
        List<int[]> rows = new ArrayList<>();
        for (int i : active) {
          rows.add(seqs[i].tokens());
        }
        if (padding == null || !useCache) {
          // Without the cache the batch is re-padded to its longest sequence still running.
          padding = LlamaModel.leftPadding(rows);
        }
        float[] last;
        int vocab;
        try (NDManager m = parent.newSubManager()) {
          NDArray ids;
          if (useCache && cache.length() > 0) {
            long[] newest = new long[rows.size()];
            for (int r = 0; r < newest.length; r++) {
              newest[r] = rows.get(r)[rows.get(r).length - 1];
            }
            ids = m.create(newest, new Shape(newest.length, 1));
          } else {
            // The pad token never matters: padding is masked; EOS is a valid id.
            ids = LlamaModel.ids(m, rows, eos);
          }
          NDArray logits = model.forward(ids, cache, padding, false).get(new NDIndex(":, -1"));
          vocab = Math.toIntExact(logits.getShape().get(1));
          last = logits.toFloatArray();
        }
        List<Integer> still = new ArrayList<>();
        List<Integer> keptRows = new ArrayList<>();
        for (int r = 0; r < active.size(); r++) {
          int i = active.get(r);
          Sequence s = seqs[i];
          int next =
              s.options
                  .sampling()
                  .pick(Arrays.copyOfRange(last, r * vocab, (r + 1) * vocab), s.random);
          Result done = s.accept(next, eos);
          if (done != null) {
            results[i] = done;
          } else {
            still.add(i);
            keptRows.add(r);
          }
        }
        if (still.size() < active.size() && !still.isEmpty()) {
          int[] keep = keptRows.stream().mapToInt(Integer::intValue).toArray();
          padding = padding.keep(keep);
          if (cache != null) {
            cache.keep(keep);
          }
        }
        active = still;
      }
    }
    return List.of(results);
  }

  /** One sequence of a batch as it grows: its tokens so far, budget and generator. */
  private final class Sequence {
    final int promptLength;
    final Options options;
    final int budget;
    final Random random;
    int[] seq;
    int len;

    Sequence(int[] prompt, Options options) {
      checkPrompt(prompt);
      this.promptLength = prompt.length;
      this.options = options;
      this.budget =
          Math.min(options.maxNewTokens(), model.config().maxPositionEmbeddings() - prompt.length);
      this.random = new Random(options.sampling() instanceof Sampling.Sampled r ? r.seed() : 0);
      this.seq = Arrays.copyOf(prompt, prompt.length + budget);
      this.len = prompt.length;
    }

    int[] tokens() {
      return Arrays.copyOf(seq, len);
    }

    /** Takes the next token; returns the result when the sequence is done, else null. */
    Result accept(int next, int eos) {
      if (next == eos) {
        return result(StopReason.EOS, null);
      }
      seq[len++] = next;
      if (!options.stopSequences().isEmpty()) {
        String sofar = tokenizer.decode(Arrays.copyOfRange(seq, promptLength, len));
        int cut = firstStop(sofar, options.stopSequences());
        if (cut >= 0) {
          return result(StopReason.STOP_SEQUENCE, sofar.substring(0, cut));
        }
      }
      return len == promptLength + budget ? result(StopReason.LENGTH, null) : null;
    }

    Result result(StopReason reason, String text) {
      int[] out = Arrays.copyOfRange(seq, promptLength, len);
      return new Result(out, text == null ? tokenizer.decode(out) : text, reason);
    }
  }

  private void checkPrompt(int[] prompt) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("empty prompt");
    }
    if (prompt.length > model.config().maxPositionEmbeddings()) {
      throw new ModelException(
          "a prompt of "
              + prompt.length
              + " tokens is longer than the context of "
              + model.config().maxPositionEmbeddings());
    }
  }

  private Result run(int[] prompt, Options options, int eos, NDManager parent) {
    checkPrompt(prompt);
    long seed = options.sampling() instanceof Sampling.Sampled r ? r.seed() : 0;
    Random random = new Random(seed);
    int budget =
        Math.min(options.maxNewTokens(), model.config().maxPositionEmbeddings() - prompt.length);
    int[] seq = Arrays.copyOf(prompt, prompt.length + budget);
    int len = prompt.length;
    boolean useCache = options.useCache();
    StopReason reason = StopReason.LENGTH;
    String text = null;
    try (KvCache cache = useCache ? model.newCache(parent) : null) {
      while (len < prompt.length + budget) {
        int next;
        try (NDManager m = parent.newSubManager()) {
          int[] feed =
              useCache && cache.length() > 0 ? new int[] {seq[len - 1]} : Arrays.copyOf(seq, len);
          NDArray logits = model.forward(LlamaModel.ids(m, feed), cache, false);
          next = options.sampling().pick(logits.get(new NDIndex("0, -1")).toFloatArray(), random);
        }
        if (next == eos) {
          reason = StopReason.EOS;
          break;
        }
        seq[len++] = next;
        if (!options.stopSequences().isEmpty() && tokenizer != null) {
          String sofar = tokenizer.decode(Arrays.copyOfRange(seq, prompt.length, len));
          int cut = firstStop(sofar, options.stopSequences());
          if (cut >= 0) {
            reason = StopReason.STOP_SEQUENCE;
            text = sofar.substring(0, cut);
            break;
          }
        }
      }
    }
    int[] out = Arrays.copyOfRange(seq, prompt.length, len);
    if (text == null) {
      text = tokenizer == null ? "" : tokenizer.decode(out);
    }
    return new Result(out, text, reason);
  }

  private static int firstStop(String text, List<String> stops) {
    int cut = -1;
    for (String s : stops) {
      int i = text.indexOf(s);
      if (i >= 0 && (cut < 0 || i < cut)) {
        cut = i;
      }
    }
    return cut;
  }
}
