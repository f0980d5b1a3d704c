package io.ascribe.inference.safetensors;

import java.io.IOException;

/**
 * A {@code .safetensors} file that breaks the format: a header length past the end of the file, a
 * header that is not the JSON the format defines, an unknown dtype, a shape that does not match its
 * byte range, or ranges that overlap, leave gaps or run outside the data section. The message names
 * the file and, where there is one, the tensor.
 */
public final class SafeTensorsException extends IOException {
  public SafeTensorsException(String message) {
    super(message);
  }

  public SafeTensorsException(String message, Throwable cause) {
    super(message, cause);
  }
}
