package io.ascribe.inference.rag;

import java.util.List;

/**
 * An answer with its attribution: the text (cut at a stop sequence), the tokens generated (what
 * attribution scored), a citation per retrieved document in retrieval order, and the timings.
 */
public record RagAnswer(String text, int[] tokens, List<Citation> citations, Timings timings) {
  public RagAnswer {
    tokens = tokens.clone();
    citations = List.copyOf(citations);
  }

  @Override
  public int[] tokens() {
    return tokens.clone();
  }
}
