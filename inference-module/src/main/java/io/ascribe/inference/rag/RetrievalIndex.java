package io.ascribe.inference.rag;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * The documents of a datanet in a Lucene index, searched two ways and fused: BM25 over the text
 * (Lucene's {@link StandardAnalyzer}) and HNSW over {@link Embedder} vectors (cosine). {@link
 * #search} combines them by reciprocal-rank fusion: each list contributes {@code 1 / (60 + rank)}
 * (ranks from 1, equal scores sharing the best rank among them; 60 is the constant of Cormack et
 * al.) for every document it ranks among its first {@code max(4k, 20)}, and documents are ordered
 * by the sum, then by id. BM25 ties are broken by id inside Lucene (a sort on an id doc-values
 * field), vector ties by id after the search, so the same index and query always give the same
 * list. Adding an id again replaces its document. The index lives in a directory on disk and
 * survives close and reopen; writes are committed on {@link #commit} and on close.
 */
public final class RetrievalIndex implements AutoCloseable {
  /** A document to index: its id (a contribution's hash, say) and its text. */
  public record Doc(String id, String text) {}

  /**
   * A search result: the document, its score in the list that produced it (the fused score for
   * {@link #search}, BM25 for {@link #searchText}, cosine similarity mapped to [0, 1] by Lucene for
   * {@link #searchVector}), and its 1-based rank in the BM25 and vector lists (0 where absent).
   */
  public record Hit(String id, String text, double score, int textRank, int vectorRank) {}

  /** Reciprocal-rank fusion's constant, as Cormack, Clarke and Büttcher chose it. */
  static final int RRF_K = 60;

  /** The widest embedding the index takes; Lucene's default format stops at 1024. */
  public static final int MAX_DIMENSIONS = 8192;

  private static final String ID = "id";
  private static final String TEXT = "text";
  private static final String VECTOR = "embedding";

  private final Directory directory;
  private final Embedder embedder;
  private final Analyzer analyzer = new StandardAnalyzer();
  private final IndexWriter writer;
  private final SearcherManager searchers;

  private RetrievalIndex(Directory directory, Embedder embedder) throws IOException {
    this.directory = directory;
    this.embedder = embedder;
    if (embedder.dimension() > MAX_DIMENSIONS) {
      throw new IllegalArgumentException(
          "embeddings of "
              + embedder.dimension()
              + " dimensions are wider than the index's limit of "
              + MAX_DIMENSIONS);
    }
    IndexWriterConfig config =
        new IndexWriterConfig(analyzer)
            .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
            .setCodec(codec());
    this.writer = new IndexWriter(directory, config);
    this.searchers = new SearcherManager(writer, null);
  }

  /** Opens (or creates) the index in {@code dir}. */
  public static RetrievalIndex open(Path dir, Embedder embedder) throws IOException {
    return new RetrievalIndex(FSDirectory.open(dir), embedder);
  }

  /** An index in memory, for tests and benchmarks: nothing survives close. */
  static RetrievalIndex inMemory(Embedder embedder) throws IOException {
    return new RetrievalIndex(new ByteBuffersDirectory(), embedder);
  }

  // The default codec with a vector format that takes embeddings wider than 1024 (Llama 7B's are
  // 4096). The format keeps the name of Lucene's HNSW format and writes its files unchanged, so a
  // reader, which looks formats up by name, reads them with Lucene's own class.
  private static Codec codec() {
    KnnVectorsFormat wide =
        new KnnVectorsFormat("Lucene99HnswVectorsFormat") {
          private final KnnVectorsFormat delegate = new Lucene99HnswVectorsFormat();

          @Override
          public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
            return delegate.fieldsWriter(state);
          }

          @Override
          public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
            return delegate.fieldsReader(state);
          }

          @Override
          public int getMaxDimensions(String fieldName) {
            return MAX_DIMENSIONS;
          }
        };
    return new Lucene103Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return wide;
      }
    };
  }

  /** Adds a document, replacing any with the same id. */
  public void add(String id, String text) throws IOException {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("a document needs a non-empty id");
    }
    if (text == null) {
      throw new IllegalArgumentException("document '" + id + "' has no text");
    }
    Document d = new Document();
    d.add(new StringField(ID, id, Field.Store.YES));
    d.add(new SortedDocValuesField(ID, new BytesRef(id)));
    d.add(new TextField(TEXT, text, Field.Store.YES));
    d.add(new KnnFloatVectorField(VECTOR, embedder.embed(text), VectorSimilarityFunction.COSINE));
    try {
      writer.updateDocument(new Term(ID, id), d);
    } catch (IllegalArgumentException e) {
      // Lucene refuses a vector of another width than the field's: another embedding model.
      throw new IllegalArgumentException(
          "cannot add '"
              + id
              + "': "
              + e.getMessage()
              + " (was the index built with another model? rebuild it with this one)",
          e);
    }
  }

  /** Adds every document, each replacing any with its id. */
  public void addAll(List<Doc> docs) throws IOException {
    for (Doc d : docs) {
      add(d.id(), d.text());
    }
  }

  /** Removes the document with {@code id}, if any. */
  public void delete(String id) throws IOException {
    writer.deleteDocuments(new Term(ID, id));
  }

  /** Makes every change durable on disk. */
  public void commit() throws IOException {
    writer.commit();
  }

  /** The number of documents (each id once). */
  public int size() throws IOException {
    IndexSearcher s = acquire();
    try {
      return s.getIndexReader().numDocs();
    } finally {
      searchers.release(s);
    }
  }

  /**
   * The ids of the documents in the index, including those added since the last commit: what a
   * caller holds already, so that reopening an index does not embed its documents again.
   */
  public Set<String> ids() throws IOException {
    IndexSearcher s = acquire();
    try {
      Set<String> ids = new java.util.TreeSet<>();
      for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
        SortedDocValues values = leaf.reader().getSortedDocValues(ID);
        Bits live = leaf.reader().getLiveDocs();
        if (values == null) {
          continue;
        }
        for (int doc = values.nextDoc();
            doc != DocIdSetIterator.NO_MORE_DOCS;
            doc = values.nextDoc()) {
          if (live == null || live.get(doc)) {
            ids.add(values.lookupOrd(values.ordValue()).utf8ToString());
          }
        }
      }
      return ids;
    } finally {
      searchers.release(s);
    }
  }

  /** The {@code k} best documents for {@code query} by reciprocal-rank fusion of both lists. */
  public List<Hit> search(String query, int k) throws IOException {
    checkK(k);
    int depth = Math.max(4 * k, 20);
    List<Hit> text = searchText(query, depth);
    List<Hit> vector = searchVector(embedder.embed(query), depth);
    Map<String, double[]> fused = new HashMap<>(); // id → {score, textRank, vectorRank}
    Map<String, String> texts = new HashMap<>();
    for (Hit h : text) {
      fused.computeIfAbsent(h.id(), x -> new double[3])[0] += 1.0 / (RRF_K + h.textRank());
      fused.get(h.id())[1] = h.textRank();
      texts.put(h.id(), h.text());
    }
    for (Hit h : vector) {
      fused.computeIfAbsent(h.id(), x -> new double[3])[0] += 1.0 / (RRF_K + h.vectorRank());
      fused.get(h.id())[2] = h.vectorRank();
      texts.put(h.id(), h.text());
    }
    List<Hit> out = new ArrayList<>();
    for (Map.Entry<String, double[]> e : fused.entrySet()) {
      double[] f = e.getValue();
      out.add(new Hit(e.getKey(), texts.get(e.getKey()), f[0], (int) f[1], (int) f[2]));
    }
    out.sort(BEST_FIRST);
    return List.copyOf(out.subList(0, Math.min(k, out.size())));
  }

  private static final Comparator<Hit> BEST_FIRST =
      Comparator.comparingDouble(Hit::score).reversed().thenComparing(Hit::id);

  /** The {@code k} best documents for {@code query} by BM25 alone. */
  public List<Hit> searchText(String query, int k) throws IOException {
    checkK(k);
    IndexSearcher s = acquire();
    try {
      Set<String> terms = terms(query);
      if (terms.isEmpty()) {
        return List.of();
      }
      BooleanQuery.Builder q = new BooleanQuery.Builder();
      int clauses = 0;
      for (String t : terms) {
        if (clauses++ == IndexSearcher.getMaxClauseCount()) {
          break; // a very long prompt: its first distinct terms stand for it
        }
        q.add(new TermQuery(new Term(TEXT, t)), BooleanClause.Occur.SHOULD);
      }
      Sort byScoreThenId =
          new Sort(SortField.FIELD_SCORE, new SortField(ID, SortField.Type.STRING));
      TopDocs top = s.search(q.build(), k, byScoreThenId, true);
      StoredFields stored = s.storedFields();
      List<Hit> out = new ArrayList<>();
      for (ScoreDoc d : top.scoreDocs) {
        Document doc = stored.document(d.doc);
        float score = (Float) ((FieldDoc) d).fields[0];
        out.add(new Hit(doc.get(ID), doc.get(TEXT), score, 0, 0));
      }
      return ranked(out, true);
    } finally {
      searchers.release(s);
    }
  }

  /** The {@code k} documents nearest to {@code query}'s embedding (HNSW, cosine). */
  public List<Hit> searchVector(String query, int k) throws IOException {
    checkK(k);
    return searchVector(embedder.embed(query), k);
  }

  private List<Hit> searchVector(float[] vector, int k) throws IOException {
    IndexSearcher s = acquire();
    try {
      if (s.getIndexReader().numDocs() == 0) {
        return List.of();
      }
      TopDocs top = s.search(new KnnFloatVectorQuery(VECTOR, vector, k), k);
      StoredFields stored = s.storedFields();
      List<Hit> found = new ArrayList<>();
      for (ScoreDoc d : top.scoreDocs) {
        Document doc = stored.document(d.doc);
        found.add(new Hit(doc.get(ID), doc.get(TEXT), d.score, 0, 0));
      }
      found.sort(BEST_FIRST);
      return ranked(found, false);
    } finally {
      searchers.release(s);
    }
  }

  // Standard competition ranking over a best-first list: equal scores share the best rank among
  // them, so documents that tie in a list get the same fused contribution from it.
  private static List<Hit> ranked(List<Hit> bestFirst, boolean text) {
    List<Hit> out = new ArrayList<>();
    int rank = 0;
    for (int i = 0; i < bestFirst.size(); i++) {
      Hit h = bestFirst.get(i);
      if (i == 0 || h.score() != bestFirst.get(i - 1).score()) {
        rank = i + 1;
      }
      out.add(new Hit(h.id(), h.text(), h.score(), text ? rank : 0, text ? 0 : rank));
    }
    return out;
  }

  private Set<String> terms(String text) {
    Set<String> out = new LinkedHashSet<>();
    try (TokenStream ts = analyzer.tokenStream(TEXT, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // analysing a String does no I/O
    }
    return out;
  }

  private IndexSearcher acquire() throws IOException {
    searchers.maybeRefreshBlocking();
    return searchers.acquire();
  }

  private static void checkK(int k) {
    if (k <= 0) {
      throw new IllegalArgumentException("k must be positive, got " + k);
    }
  }

  @Override
  public void close() throws IOException {
    try (directory;
        analyzer) {
      searchers.close();
      writer.close();
    }
  }
}
