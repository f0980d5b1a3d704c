package io.ascribe.inference.rag;

import io.ascribe.inference.tokenizer.Tokenizer;
import java.util.List;

/**
 * The fixed prompt template of a RAG answer: one block per document kept, in retrieval order, then
 * the question, then the cue for the answer:
 *
 * <pre>
 * Document: {text of the first document}
 * Document: {text of the second document}
 * Question: {prompt}
 * Answer:
 * </pre>
 *
 * Blocks carry no numbers or ids, so ablating a document removes its block and changes nothing
 * else. The whole text is encoded at once after BOS, as generation sees it.
 */
public final class RagPrompt {
  private RagPrompt() {}

  /** The prompt's text with the documents where {@code keep} is true (null keeps every one). */
  public static String text(String question, List<RetrievalIndex.Doc> docs, boolean[] keep) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < docs.size(); i++) {
      if (keep == null || keep[i]) {
        b.append("Document: ").append(docs.get(i).text()).append('\n');
      }
    }
    return b.append("Question: ").append(question).append("\nAnswer:").toString();
  }

  /** {@code BOS} followed by the tokens of {@link #text}. */
  public static int[] tokens(
      Tokenizer tokenizer, String question, List<RetrievalIndex.Doc> docs, boolean[] keep) {
    int[] body = tokenizer.encode(text(question, docs, keep));
    int[] ids = new int[body.length + 1];
    ids[0] = tokenizer.bos();
    System.arraycopy(body, 0, ids, 1, body.length);
    return ids;
  }
}
