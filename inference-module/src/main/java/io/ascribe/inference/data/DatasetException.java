package io.ascribe.inference.data;

/**
 * A data file that cannot be used: missing, not UTF-8, or a line that is not a JSON object with
 * string {@code prompt} and {@code response} fields or that does not fit the model. The message
 * starts with {@code FILE:LINE:} where a line is at fault.
 */
public final class DatasetException extends RuntimeException {
  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
