package io.ascribe.node.serving;

import ai.djl.ndarray.NDManager;
import io.ascribe.core.types.Hash;
import io.ascribe.inference.Generator;
import io.ascribe.inference.Sampling;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.rag.ContextCite;
import io.ascribe.inference.rag.Embedder;
import io.ascribe.inference.rag.RagAnswer;
import io.ascribe.inference.rag.RagAnswerer;
import io.ascribe.inference.rag.RetrievalIndex;
import io.ascribe.inference.tokenizer.Tokenizer;
import io.ascribe.inference.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link RagEngine} on the inference module: the base model stays loaded between requests (one at a
 * time), each datanet's documents are indexed once per base model in a Lucene index on disk ({@code
 * DIR/index/MODEL_SHA/DATANET}) and brought up to date when contributions come or go, an adapter is
 * attached for the request that names it, and answers stop at the first newline.
 */
public final class ModuleRagEngine implements RagEngine, AutoCloseable {
  private final Path dir;
  private final AdapterLoader adapters;
  private Loaded loaded;
  private final Map<Path, Set<String>> indexed = new HashMap<>();

  /** Attaches a job's adapter file onto a loaded base. */
  public interface AdapterLoader {
    Trainable attach(AdapterFile adapter, LlamaModel base) throws IOException;
  }

  private record Loaded(Path dir, NDManager manager, LlamaModel model, Tokenizer tokenizer)
      implements AutoCloseable {
    @Override
    public void close() {
      tokenizer.close();
      model.close();
      manager.close();
    }
  }

  public ModuleRagEngine(Path dir, AdapterLoader adapters) {
    this.dir = dir;
    this.adapters = adapters;
  }

  @Override
  public synchronized Answer answer(
      Path baseModel,
      Optional<AdapterFile> adapter,
      Hash datanet,
      List<Document> documents,
      String prompt,
      int topK,
      int maxNewTokens,
      long seed) {
    Loaded m = load(baseModel);
    Trainable attached = null;
    try (NDManager request = m.manager().newSubManager()) {
      if (adapter.isPresent()) {
        attached = adapters.attach(adapter.get(), m.model());
      }
      Embedder embedder = new Embedder(m.model(), m.tokenizer(), request);
      Path indexDir = dir.resolve("index").resolve(m.model().sha256()).resolve(datanet.toHex());
      try (RetrievalIndex index = RetrievalIndex.open(indexDir, embedder)) {
        update(indexDir, index, documents);
        RagAnswerer answerer = new RagAnswerer(m.model(), m.tokenizer(), index, request);
        RagAnswerer.Options options =
            RagAnswerer.Options.defaults(m.model())
                .withK(topK)
                .withGeneration(
                    new Generator.Options(maxNewTokens, new Sampling.Greedy(), List.of("\n"), true))
                .withAttribution(
                    ContextCite.Options.forDevice(m.model().manager().getDevice(), seed));
        RagAnswer answer = answerer.answer(prompt, options);
        Map<String, Long> ppm = ContextCite.toPpm(answer.citations());
        List<RagEngine.Citation> citations = new ArrayList<>();
        // The module's citation type; RagEngine.Citation, inherited here, is the node's.
        for (io.ascribe.inference.rag.Citation c : answer.citations()) {
          citations.add(
              new RagEngine.Citation(
                  Hash.fromHex(c.id()), c.score(), ppm.getOrDefault(c.id(), 0L)));
        }
        return new Answer(answer.text().strip(), citations);
      }
    } catch (ModelException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("retrieval failed: " + e.getMessage(), e);
    } finally {
      if (attached != null) {
        attached.close();
      }
    }
  }

  /** Adds the documents the index lacks and deletes those the datanet no longer has. */
  private void update(Path indexDir, RetrievalIndex index, List<Document> documents)
      throws IOException {
    Set<String> wanted = new HashSet<>();
    documents.forEach(d -> wanted.add(d.contribution().toHex()));
    // Read from the index on first use, so that a restarted executor embeds only what is new.
    Set<String> known = indexed.get(indexDir);
    if (known == null) {
      known = index.ids();
    }
    if (wanted.equals(known)) {
      indexed.put(indexDir, wanted);
      return;
    }
    for (Document d : documents) {
      if (!known.contains(d.contribution().toHex())) {
        index.add(d.contribution().toHex(), d.text());
      }
    }
    for (String gone : known) {
      if (!wanted.contains(gone)) {
        index.delete(gone);
      }
    }
    index.commit();
    indexed.put(indexDir, wanted);
  }

  private Loaded load(Path baseModel) {
    if (loaded != null && loaded.dir().equals(baseModel)) {
      return loaded;
    }
    if (loaded != null) {
      loaded.close();
      loaded = null;
    }
    NDManager manager = Torch.engine().newBaseManager();
    try {
      LlamaModel model = LlamaModel.load(baseModel, manager);
      Tokenizer tokenizer = Tokenizers.forModel(baseModel, model.config().vocabSize());
      loaded = new Loaded(baseModel, manager, model, tokenizer);
      return loaded;
    } catch (IOException e) {
      manager.close();
      throw new UncheckedIOException("cannot load the model in " + baseModel, e);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  @Override
  public synchronized void close() {
    if (loaded != null) {
      loaded.close();
      loaded = null;
    }
  }
}
