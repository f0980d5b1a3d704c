package io.ascribe.inference.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.ClassManager;
import io.ascribe.inference.Generator;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.TrainConfig;
import io.ascribe.inference.train.Trainer;
import io.ascribe.inference.tuning.TuningMethod;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Answers with attribution from a tiny model trained here to read one fact from its context: the
 * sky is green when a document says so, blue otherwise, whatever filler documents surround it.
 */
class RagTest {
  static final LlamaConfig TINY = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);
  static final ByteTokenizer TOK = new ByteTokenizer();
  static final String QUESTION = "What colour is the sky?";
  static final RetrievalIndex.Doc FACT = new RetrievalIndex.Doc("fact", "The sky is green.");
  static final List<RetrievalIndex.Doc> FILLERS =
      List.of(
          new RetrievalIndex.Doc("bread", "Bread is baked in an oven."),
          new RetrievalIndex.Doc("cats", "Cats purr when they are happy."),
          new RetrievalIndex.Doc("rain", "Rain falls from grey clouds."));
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();
  static LlamaModel model;

  @BeforeAll
  static void train() {
    model = ModelFactory.create(TINY, 7, MANAGER.get());
    List<Example> data = new ArrayList<>();
    Random r = new Random(8);
    List<RetrievalIndex.Doc> all = new ArrayList<>(FILLERS);
    all.add(FACT);
    for (int i = 0; i < 96; i++) {
      List<RetrievalIndex.Doc> docs = new ArrayList<>();
      for (RetrievalIndex.Doc d : all) {
        if (r.nextBoolean()) {
          docs.add(d);
        }
      }
      Collections.shuffle(docs, r);
      String answer = docs.contains(FACT) ? " green" : " blue";
      data.add(new Example(RagPrompt.text(QUESTION, docs, null), answer));
    }
    new Trainer(model, TOK)
        .fineTune(
            new TuningMethod.Full(), data, TrainConfig.lora(3e-3, 120, 16, 9), MANAGER.get(), null);
  }

  @AfterAll
  static void stop() {
    model.close();
  }

  private static RagAnswerer.Options options(long seed) {
    return new RagAnswerer.Options(
        4, Generator.Options.greedy(8), ContextCite.Options.defaults(seed));
  }

  @Test
  void theAnswerComesFromTheFactAndFillersScoreAboutZero() throws IOException {
    Embedder embedder = new Embedder(model, TOK, MANAGER.get());
    try (RetrievalIndex index = RetrievalIndex.inMemory(embedder)) {
      index.add(FACT.id(), FACT.text());
      index.addAll(FILLERS);
      RagAnswerer rag = new RagAnswerer(model, TOK, index, MANAGER.get());
      RagAnswer a = rag.answer(QUESTION, options(1));
      assertThat(a.text()).isEqualTo(" green");
      assertThat(a.citations())
          .extracting(Citation::id)
          .containsExactlyInAnyOrder("fact", "bread", "cats", "rain");
      double fact = score(a, "fact");
      assertThat(fact).isGreaterThan(1.0);
      for (RetrievalIndex.Doc f : FILLERS) {
        assertThat(Math.abs(score(a, f.id()))).as(f.id()).isLessThan(0.05 * fact);
      }
      Map<String, Long> ppm = ContextCite.toPpm(a.citations());
      assertThat(ppm.get("fact")).isGreaterThan(900_000L);
      assertThat(ppm.values().stream().filter(v -> v > 0).mapToLong(Long::longValue).sum())
          .isEqualTo(ContextCite.ONE_PPM);
      assertThat(a.timings().generationNanos()).isPositive();
      assertThat(a.timings().ablationNanos()).isPositive();

      // Without the fact the model says blue.
      index.delete("fact");
      assertThat(rag.answer(QUESTION, options(1)).text()).isEqualTo(" blue");
    }
  }

  private static double score(RagAnswer a, String id) {
    return a.citations().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow().score();
  }

  @Test
  void ablatingEveryDocumentChangesTheLogProbAndBatchingDoesNot() {
    ContextCite cite = new ContextCite(model, TOK, MANAGER.get());
    List<RetrievalIndex.Doc> docs = new ArrayList<>(FILLERS);
    docs.add(1, FACT);
    int[] green = TOK.encode(" green");
    boolean[][] masks = ContextCite.masks(docs.size(), 12, 3);
    masks[0] = new boolean[] {true, true, true, true};
    masks[1] = new boolean[4];
    double[] one = cite.logProbs(QUESTION, docs, green, masks, 1);
    double[] batched = cite.logProbs(QUESTION, docs, green, masks, 5);
    assertThat(batched).containsExactly(one, within(1e-3));
    // With every document the answer is near certain; with none it is unlikely.
    assertThat(one[0]).isGreaterThan(-0.5);
    assertThat(one[1]).isLessThan(one[0] - 3);
    // Each mask's log-probability is that of its own prompt, scored alone.
    for (int i = 0; i < masks.length; i++) {
      int[] prompt = RagPrompt.tokens(TOK, QUESTION, docs, masks[i]);
      assertThat(one[i]).isCloseTo(logProb(prompt, green), within(1e-3));
    }
  }

  // Σ log p(answer_j | prompt, answer_<j) from the plain forward pass, one position at a time.
  private static double logProb(int[] prompt, int[] answer) {
    int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + answer.length);
    System.arraycopy(answer, 0, seq, prompt.length, answer.length);
    try (NDManager m = MANAGER.get().newSubManager()) {
      float[] logp =
          model
              .forward(LlamaModel.ids(m, java.util.Arrays.copyOf(seq, seq.length - 1)), null, false)
              .logSoftmax(-1)
              .toFloatArray();
      double sum = 0;
      for (int j = 0; j < answer.length; j++) {
        int pos = prompt.length - 1 + j;
        sum += logp[pos * TINY.vocabSize() + answer[j]];
      }
      return sum;
    }
  }

  @Test
  void theSameInputsAndSeedGiveTheSameScores() {
    RagAnswerer rag = new RagAnswerer(model, TOK, null, MANAGER.get());
    List<RetrievalIndex.Doc> docs = new ArrayList<>(FILLERS);
    docs.add(FACT);
    RagAnswer a = rag.answer(QUESTION, docs, options(5));
    RagAnswer b = rag.answer(QUESTION, docs, options(5));
    assertThat(b.tokens()).containsExactly(a.tokens());
    assertThat(b.citations()).isEqualTo(a.citations());
    // One mask per pass on CPU gives the same scores as the default batch of 32.
    RagAnswer single =
        rag.answer(
            QUESTION,
            docs,
            options(5)
                .withAttribution(ContextCite.Options.forDevice(model.manager().getDevice(), 5)));
    assertThat(RagAnswerer.Options.defaults(model).attribution().batchSize()).isEqualTo(1);
    for (int i = 0; i < docs.size(); i++) {
      assertThat(single.citations().get(i).score())
          .isCloseTo(a.citations().get(i).score(), within(1e-3));
    }
    RagAnswer other = rag.answer(QUESTION, docs, options(6));
    assertThat(other.citations()).isNotEqualTo(a.citations());
    // Another draw of masks still puts the answer on the fact.
    assertThat(ContextCite.toPpm(other.citations()).get("fact")).isGreaterThan(900_000L);
  }

  @Test
  void aPromptOverTheContextIsRefusedWithBothLengths() {
    RagAnswerer rag = new RagAnswerer(model, TOK, null, MANAGER.get());
    List<RetrievalIndex.Doc> docs = new ArrayList<>(FILLERS);
    docs.add(new RetrievalIndex.Doc("long", "x".repeat(200)));
    int tokens = RagPrompt.tokens(TOK, QUESTION, docs, null).length;
    assertThat(tokens).isGreaterThan(TINY.maxPositionEmbeddings());
    assertThatThrownBy(() -> rag.answer(QUESTION, docs, options(1)))
        .isInstanceOf(ModelException.class)
        .hasMessage(
            "the prompt with its 4 retrieved documents is "
                + tokens
                + " tokens, but the model's context is 256 tokens and the answer needs at least"
                + " one: shorten the prompt or retrieve fewer documents (k)");
  }

  @Test
  void moreDocumentsThanAReceiptScoresAreRefused() {
    assertThatThrownBy(() -> options(1).withK(33))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("k must be between 1 and 32 (the documents a receipt scores), got 33");
  }

  @Test
  void anEmptyIndexAnswersWithoutCitations() throws IOException {
    try (RetrievalIndex index = RetrievalIndex.inMemory(new Embedder(model, TOK, MANAGER.get()))) {
      RagAnswer a = new RagAnswerer(model, TOK, index, MANAGER.get()).answer(QUESTION, options(1));
      assertThat(a.text()).isEqualTo(" blue");
      assertThat(a.citations()).isEmpty();
      assertThat(ContextCite.toPpm(a.citations())).isEmpty();
    }
  }
}
