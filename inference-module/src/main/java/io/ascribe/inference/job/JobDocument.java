package io.ascribe.inference.job;

import io.ascribe.inference.train.Example;

/**
 * A training or evaluation example of a job with the id of the contribution it came from (a hex
 * string the chain assigns; opaque here, used only to key the influence scores).
 */
public record JobDocument(String id, Example example) {
  public JobDocument {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("a job document needs its contribution id");
    }
    if (example == null) {
      throw new IllegalArgumentException("job document " + id + " has no example");
    }
  }
}
