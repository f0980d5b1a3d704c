package io.ascribe.inference.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ascribe.inference.ClassManager;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class RetrievalIndexTest {
  static final ByteTokenizer TOK = new ByteTokenizer();
  static final List<RetrievalIndex.Doc> DOCS =
      List.of(
          new RetrievalIndex.Doc("d1", "the river runs past the old mill"),
          new RetrievalIndex.Doc("d2", "the old mill grinds wheat into flour"),
          new RetrievalIndex.Doc("d3", "a zebra grazes on the plain"),
          new RetrievalIndex.Doc("d4", "the plain is wide and the river is slow"),
          new RetrievalIndex.Doc("d5", "flour and water make bread"));
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();
  static LlamaModel model;
  static Embedder embedder;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    model = ModelFactory.create(LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE), 5, MANAGER.get());
    embedder = new Embedder(model, TOK, MANAGER.get());
  }

  @AfterAll
  static void stop() {
    model.close();
  }

  @Test
  void embeddingsAreUnitLengthMeanPooledHiddenStates() {
    float[] e = embedder.embed("the old mill");
    assertThat(e).hasSize(64);
    double norm = 0;
    for (float x : e) {
      norm += x * x;
    }
    assertThat(norm).isCloseTo(1.0, within(1e-5));
    assertThat(embedder.embed("the old mill")).containsExactly(e);
    assertThat(embedder.embed("a zebra")).isNotEqualTo(e);
  }

  @Test
  void bm25FindsTheDocumentWithTheQuerysRareWord() throws IOException {
    try (RetrievalIndex index = RetrievalIndex.inMemory(embedder)) {
      index.addAll(DOCS);
      List<RetrievalIndex.Hit> hits = index.searchText("where does the zebra live", 3);
      assertThat(hits.getFirst().id()).isEqualTo("d3");
      assertThat(hits.getFirst().textRank()).isEqualTo(1);
      assertThat(hits.getFirst().text()).isEqualTo("a zebra grazes on the plain");
      assertThat(index.searchText("???", 3)).isEmpty();
      // The fused list keeps it first: it is BM25's first by far.
      assertThat(index.search("zebra", 2).getFirst().id()).isEqualTo("d3");
    }
  }

  @Test
  void vectorSearchReturnsTheNearestEmbedding() throws IOException {
    try (RetrievalIndex index = RetrievalIndex.inMemory(embedder)) {
      index.addAll(DOCS);
      for (String query : List.of("wheat flour", "a slow river", "zebras")) {
        float[] q = embedder.embed(query);
        String nearest = null;
        double best = -2;
        for (RetrievalIndex.Doc d : DOCS) {
          double cos = dot(q, embedder.embed(d.text()));
          if (cos > best) {
            best = cos;
            nearest = d.id();
          }
        }
        List<RetrievalIndex.Hit> hits = index.searchVector(query, 5);
        assertThat(hits).hasSize(5);
        assertThat(hits.getFirst().id()).as(query).isEqualTo(nearest);
        // Lucene's cosine score is (1 + cos) / 2.
        assertThat(hits.getFirst().score()).isCloseTo((1 + best) / 2, within(1e-4));
      }
    }
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void hybridRankingIsFusedDeterministicAndBreaksTiesById() throws IOException {
    try (RetrievalIndex index = RetrievalIndex.inMemory(embedder)) {
      index.addAll(DOCS);
      // Two documents with the same text tie in both lists: the smaller id comes first.
      index.add("twin-b", "the old mill by the river");
      index.add("twin-a", "the old mill by the river");
      List<RetrievalIndex.Hit> hits = index.search("the old mill by the river", 7);
      assertThat(hits).hasSize(7);
      assertThat(hits.get(0).id()).isEqualTo("twin-a");
      assertThat(hits.get(1).id()).isEqualTo("twin-b");
      assertThat(hits.get(0).score()).isEqualTo(hits.get(1).score());
      for (RetrievalIndex.Hit h : hits) {
        double expected =
            (h.textRank() > 0 ? 1.0 / (60 + h.textRank()) : 0)
                + (h.vectorRank() > 0 ? 1.0 / (60 + h.vectorRank()) : 0);
        assertThat(h.score()).isCloseTo(expected, within(1e-12));
      }
      assertThat(index.search("the old mill by the river", 7)).isEqualTo(hits);
      assertThat(index.search("the old mill by the river", 3)).isEqualTo(hits.subList(0, 3));
      assertThatThrownBy(() -> index.search("x", 0)).hasMessageContaining("k must be positive");
    }
  }

  @Test
  void anIdAddedTwiceIsReplacedAndTheIndexSurvivesCloseAndReopen() throws IOException {
    List<RetrievalIndex.Hit> before;
    try (RetrievalIndex index = RetrievalIndex.open(dir, embedder)) {
      assertThat(index.search("anything", 3)).isEmpty();
      index.addAll(DOCS);
      index.add("d3", "a giraffe eats leaves");
      assertThat(index.size()).isEqualTo(5);
      assertThat(index.searchText("zebra", 3)).isEmpty();
      assertThat(index.searchText("giraffe", 3).getFirst().id()).isEqualTo("d3");
      before = index.search("old mill flour", 5);
    }
    Set<String> all = new java.util.TreeSet<>();
    DOCS.forEach(d -> all.add(d.id()));
    try (RetrievalIndex index = RetrievalIndex.open(dir, embedder)) {
      assertThat(index.size()).isEqualTo(5);
      assertThat(index.ids()).as("what a reopened index holds").isEqualTo(all);
      assertThat(index.search("old mill flour", 5)).isEqualTo(before);
      index.delete("d1");
      assertThat(index.ids()).as("uncommitted changes count").doesNotContain("d1");
      index.commit();
    }
    try (RetrievalIndex index = RetrievalIndex.open(dir, embedder)) {
      assertThat(index.size()).isEqualTo(4);
      assertThat(index.ids()).hasSize(4).doesNotContain("d1");
      assertThat(index.search("old mill flour", 5))
          .extracting(RetrievalIndex.Hit::id)
          .doesNotContain("d1");
    }
  }

  @Test
  void embeddingsWiderThanLucenesDefaultLimitAreIndexedAndReadBack() throws IOException {
    LlamaConfig wide =
        new LlamaConfig(1280, 32, 1, 4, 4, ByteTokenizer.VOCAB_SIZE, 1e-5, 1e4, 64, true);
    try (LlamaModel big = ModelFactory.create(wide, 6, MANAGER.get())) {
      Embedder e = new Embedder(big, TOK, MANAGER.get());
      try (RetrievalIndex index = RetrievalIndex.open(dir, e)) {
        index.addAll(DOCS);
      }
      try (RetrievalIndex index = RetrievalIndex.open(dir, e)) {
        assertThat(index.searchVector(DOCS.get(2).text(), 1).getFirst().id()).isEqualTo("d3");
      }
      // An index built with one model refuses another model's embeddings, naming the fix.
      try (RetrievalIndex index = RetrievalIndex.open(dir, embedder)) {
        assertThatThrownBy(() -> index.add("d9", "more"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("rebuild it with this one");
      }
    }
  }
}
