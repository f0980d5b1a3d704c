package io.ascribe.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.ascribe.inference.model.KvCache;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Autoregressive decoding: the next token is chosen by a {@link Sampling} (greedy, or seeded
 * temperature / top-k / top-p) until EOS, a stop sequence or the token budget. With the KV cache
 * the prompt is run once and each step feeds only the newest token; without it every step re-runs
 * the whole sequence (the reference the cache is tested against).
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

  private Result run(int[] prompt, Options options, int eos, NDManager parent) {
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
