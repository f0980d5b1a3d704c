package io.ascribe.node.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.ai.DataRecord;
import io.ascribe.core.ai.InferenceRequest;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.Model;
import io.ascribe.node.config.AtomicFiles;
import io.ascribe.node.executor.ContentSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Runs one RAG request from what the chain says: its model (found on disk by its registered
 * hashes), its adapter (fetched by hash and loaded as the job that made it says), and its datanet's
 * active contributions (fetched by hash). The executor that serves a request and a verifier that
 * re-executes it both go through here, so they run the same thing.
 */
final class RequestRunner {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Ledger ledger;
  private final ContentSource content;
  private final Function<Model, Optional<Path>> models;
  private final RagEngine engine;
  private final Path adapters;
  private final Duration fetchTimeout;

  RequestRunner(
      Ledger ledger,
      ContentSource content,
      Function<Model, Optional<Path>> models,
      RagEngine engine,
      Path adapters,
      Duration fetchTimeout) {
    this.ledger = ledger;
    this.content = content;
    this.models = models;
    this.engine = engine;
    this.adapters = adapters;
    this.fetchTimeout = fetchTimeout;
  }

  /**
   * Checks that the chain has what {@code request} names and this node has its model.
   *
   * @throws IllegalArgumentException naming what is missing
   */
  Path check(InferenceRequest request) {
    Model model =
        ledger.model(request.model()).orElseThrow(() -> notFound("model", request.model()));
    ledger.datanet(request.datanet()).orElseThrow(() -> notFound("datanet", request.datanet()));
    adapter(request).ifPresent(a -> {});
    return models
        .apply(model)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "this executor does not have model "
                        + model.id()
                        + " on disk; ask an executor that serves it"));
  }

  /**
   * Retrieves, answers and attributes {@code request}.
   *
   * @throws IllegalArgumentException when the request cannot be served as asked
   * @throws ContentSource.ContentMissingException when a document or the adapter is on no peer
   */
  RagEngine.Answer run(InferenceRequest request) {
    Path baseDir = check(request);
    return engine.answer(
        baseDir,
        adapter(request).map(this::adapterFile),
        request.datanet(),
        documents(request.datanet()),
        request.prompt(),
        request.topK(),
        request.maxNewTokens(),
        java.nio.ByteBuffer.wrap(request.hash().toArray()).getLong());
  }

  private Optional<Adapter> adapter(InferenceRequest request) {
    if (request.adapter().isEmpty()) {
      return Optional.empty();
    }
    Adapter a =
        ledger
            .adapter(request.adapter().get())
            .orElseThrow(() -> notFound("adapter", request.adapter().get()));
    if (!a.baseModel().equals(request.model())) {
      throw new IllegalArgumentException(
          "adapter "
              + a.id()
              + " was tuned from model "
              + a.baseModel()
              + ", not "
              + request.model());
    }
    return Optional.of(a);
  }

  /** The datanet's active contributions' texts, fetched by hash. */
  private List<RagEngine.Document> documents(Hash datanet) {
    List<RagEngine.Document> docs = new ArrayList<>();
    for (Contribution c :
        ledger.contributions(datanet, 0, ledger.contributionCount(datanet)).items()) {
      if (c.status() == Contribution.Status.ACTIVE) {
        docs.add(new RagEngine.Document(c.id(), text(c)));
      }
    }
    if (docs.isEmpty()) {
      throw new IllegalArgumentException(
          "datanet " + datanet + " has no active contribution to retrieve from");
    }
    return docs;
  }

  private String text(Contribution c) {
    byte[] bytes = content.fetch(c.contentHash(), fetchTimeout);
    try {
      return DataRecord.fromJson(JSON.readTree(bytes)).text();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "contribution " + c.id() + "'s content is not a data record: " + e.getMessage(), e);
    }
  }

  private RagEngine.AdapterFile adapterFile(Adapter a) {
    Path file = adapters.resolve(a.adapterHash().toHex() + ".safetensors");
    if (!Files.exists(file)) {
      byte[] bytes = content.fetch(a.adapterHash(), fetchTimeout);
      try {
        Files.createDirectories(adapters);
        AtomicFiles.write(file, bytes);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot keep adapter " + a.adapterHash() + " in " + file, e);
      }
    }
    return new RagEngine.AdapterFile(
        file,
        ledger
            .tuningJob(a.job())
            .orElseThrow(() -> new IllegalStateException("adapter " + a.id() + " has no job")));
  }

  private static IllegalArgumentException notFound(String what, Hash id) {
    return new IllegalArgumentException("no " + what + " " + id + " on chain");
  }
}
