package io.ascribe.inference.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.tokenizer.Tokenizer;
import io.ascribe.inference.train.Example;
import java.util.List;

/**
 * Perplexity: exp of the mean negative log-likelihood per predicted token, pooled over all tokens
 * of all texts (not averaged per text), as language-model evaluations report it. Texts are scored
 * as {@code BOS text EOS} (every token after BOS predicted); examples score only their response and
 * EOS given the prompt, the tokens the trainer's loss counts.
 */
public final class Perplexity {
  private Perplexity() {}

  /** Perplexity of whole texts. */
  public static double ofTexts(
      LlamaModel model, Tokenizer tokenizer, List<String> texts, NDManager parent) {
    double nll = 0;
    long count = 0;
    for (String t : texts) {
      int[] body = tokenizer.encode(t);
      nll += score(model, tokenizer, new int[0], body, parent);
      count += body.length + 1;
    }
    return Math.exp(nll / count);
  }

  /** Perplexity of the responses (and their EOS) given the prompts. */
  public static double ofResponses(
      LlamaModel model, Tokenizer tokenizer, List<Example> examples, NDManager parent) {
    double nll = 0;
    long count = 0;
    for (Example e : examples) {
      int[] response = tokenizer.encode(e.response());
      nll += score(model, tokenizer, tokenizer.encode(e.prompt()), response, parent);
      count += response.length + 1;
    }
    return Math.exp(nll / count);
  }

  // Sum of -log p over `target` + EOS, given BOS + `context`.
  private static double score(
      LlamaModel model, Tokenizer tokenizer, int[] context, int[] target, NDManager parent) {
    int n = 1 + context.length + target.length + 1;
    if (n - 1 > model.config().maxPositionEmbeddings()) {
      throw new ModelException(
          "a text of "
              + n
              + " tokens is longer than the context of "
              + model.config().maxPositionEmbeddings());
    }
    int[] seq = new int[n];
    seq[0] = tokenizer.bos();
    System.arraycopy(context, 0, seq, 1, context.length);
    System.arraycopy(target, 0, seq, 1 + context.length, target.length);
    seq[n - 1] = tokenizer.eos();
    try (NDManager m = parent.newSubManager()) {
      int[] input = java.util.Arrays.copyOf(seq, n - 1);
      NDArray logp = model.forward(LlamaModel.ids(m, input), null, false).logSoftmax(-1);
      float[] v = logp.toFloatArray();
      int vocab = model.config().vocabSize();
      double nll = 0;
      for (int pos = context.length; pos < n - 1; pos++) {
        nll -= v[pos * vocab + seq[pos + 1]];
      }
      return nll;
    }
  }
}
