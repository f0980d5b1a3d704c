package io.ascribe.inference.model;

/**
 * A model directory that cannot be used: a missing or inconsistent {@code config.json}, weights
 * whose names, shapes or dtypes do not match the config, or an adapter made for another base. The
 * message says which file and which field or tensor.
 */
public class ModelException extends RuntimeException {
  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
