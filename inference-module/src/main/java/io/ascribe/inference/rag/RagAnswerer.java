package io.ascribe.inference.rag;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.Generator;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a prompt from a datanet's documents: retrieves the top {@code k} from a {@link
 * RetrievalIndex}, builds the prompt of {@link RagPrompt} with all of them, generates the answer
 * ({@link Generator.Options}, greedy by default) and attributes it to the documents with {@link
 * ContextCite}. With no document retrieved (an empty index) the answer has no citations. Documents
 * are never truncated: a prompt whose context does not fit the model, with room for at least one
 * answer token, is refused with both lengths, before any generation.
 */
public final class RagAnswerer {
  private static final Logger LOG = LoggerFactory.getLogger(RagAnswerer.class);

  /** How to answer: {@code k} documents, how to generate, how to attribute. */
  public record Options(int k, Generator.Options generation, ContextCite.Options attribution) {
    /** The most documents a receipt may score (ADR 005), so the most an answer retrieves. */
    public static final int MAX_K = 32;

    public Options {
      if (k <= 0 || k > MAX_K) {
        throw new IllegalArgumentException(
            "k must be between 1 and " + MAX_K + " (the documents a receipt scores), got " + k);
      }
    }

    /**
     * Four documents, up to 64 greedy tokens, {@link ContextCite.Options#forDevice} from seed 0 for
     * the device {@code model}'s weights are on.
     */
    public static Options defaults(LlamaModel model) {
      return new Options(
          4,
          Generator.Options.greedy(64),
          ContextCite.Options.forDevice(model.manager().getDevice(), 0));
    }

    public Options withK(int n) {
      return new Options(n, generation, attribution);
    }

    public Options withGeneration(Generator.Options g) {
      return new Options(k, g, attribution);
    }

    public Options withAttribution(ContextCite.Options a) {
      return new Options(k, generation, a);
    }
  }

  private final LlamaModel model;
  private final Tokenizer tokenizer;
  private final RetrievalIndex index;
  private final NDManager manager;
  private final ContextCite cite;

  public RagAnswerer(
      LlamaModel model, Tokenizer tokenizer, RetrievalIndex index, NDManager manager) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.index = index;
    this.manager = manager;
    this.cite = new ContextCite(model, tokenizer, manager);
  }

  /** Retrieves, generates and attributes. */
  public RagAnswer answer(String prompt, Options options) throws IOException {
    long t0 = System.nanoTime();
    List<RetrievalIndex.Doc> docs = new ArrayList<>();
    for (RetrievalIndex.Hit h : index.search(prompt, options.k())) {
      docs.add(new RetrievalIndex.Doc(h.id(), h.text()));
    }
    long retrieval = System.nanoTime() - t0;
    return answer(prompt, docs, retrieval, options);
  }

  /** Generates and attributes with {@code docs} as the retrieved documents. */
  public RagAnswer answer(String prompt, List<RetrievalIndex.Doc> docs, Options options) {
    return answer(prompt, docs, 0, options);
  }

  private RagAnswer answer(
      String prompt, List<RetrievalIndex.Doc> docs, long retrievalNanos, Options options) {
    int[] ids = promptTokens(prompt, docs);
    long t0 = System.nanoTime();
    Generator.Result r =
        new Generator(model, tokenizer).generate(ids, options.generation(), manager);
    long generation = System.nanoTime() - t0;
    ContextCite.Result a = cite.attribute(prompt, docs, r.tokens(), options.attribution());
    Timings timings = new Timings(retrievalNanos, generation, a.ablationNanos(), a.fitNanos());
    LOG.debug(
        "answered with {} documents: {} prompt tokens, {} answer tokens; retrieval {} ms,"
            + " generation {} ms, ablations {} ms ({} masks), fit {} ms",
        docs.size(),
        ids.length,
        r.tokens().length,
        retrievalNanos / 1_000_000,
        generation / 1_000_000,
        a.ablationNanos() / 1_000_000,
        options.attribution().masks(),
        a.fitNanos() / 1_000_000);
    return new RagAnswer(r.text(), r.tokens(), a.citations(), timings);
  }

  /**
   * The prompt's tokens with every document, BOS first.
   *
   * @throws ModelException when they leave no room in the model's context for an answer token
   */
  public int[] promptTokens(String prompt, List<RetrievalIndex.Doc> docs) {
    int[] ids = RagPrompt.tokens(tokenizer, prompt, docs, null);
    int context = model.config().maxPositionEmbeddings();
    if (ids.length >= context) {
      throw new ModelException(
          "the prompt with its "
              + docs.size()
              + " retrieved documents is "
              + ids.length
              + " tokens, but the model's context is "
              + context
              + " tokens and the answer needs at least one: shorten the prompt or retrieve fewer"
              + " documents (k)");
    }
    return ids;
  }
}
