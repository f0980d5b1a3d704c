package io.ascribe.node.serving;

import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.TuningJob;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The inference module's retrieval-augmented generation, as an executor's serving calls it: given a
 * base model directory, optionally an adapter (its file and the job that made it, which says how to
 * load it), a datanet's documents and a prompt, retrieve the top documents, answer, and score each
 * retrieved document's share of the answer.
 */
public interface RagEngine {

  /** A document of a datanet: a contribution and the text retrieval indexes. */
  record Document(Hash contribution, String text) {}

  /** A tuned adapter to answer with. */
  record AdapterFile(Path file, TuningJob job) {}

  /**
   * A retrieved contribution's part in the answer.
   *
   * @param score the attribution score (the surrogate's weight)
   * @param ppm its share as the chain records it, in signed parts per million
   */
  record Citation(Hash contribution, double score, long ppm) {}

  record Answer(String text, List<Citation> citations) {}

  /**
   * @param datanet identifies {@code documents}, so an index built for it can be reused while the
   *     datanet's contributions stay the same
   * @param seed seeds the attribution's ablation masks, so a re-execution draws the same ones
   * @throws IllegalArgumentException when the request cannot be served as asked (say, a prompt over
   *     the model's context length), saying why with the figures
   */
  Answer answer(
      Path baseModel,
      Optional<AdapterFile> adapter,
      Hash datanet,
      List<Document> documents,
      String prompt,
      int topK,
      int maxNewTokens,
      long seed);
}
