package io.ascribe.inference.train;

/** One prompt → response pair; the loss counts only the response (and its end token). */
public record Example(String prompt, String response) {
  public Example {
    if (prompt == null || response == null) {
      throw new IllegalArgumentException("an example needs a prompt and a response");
    }
  }
}
