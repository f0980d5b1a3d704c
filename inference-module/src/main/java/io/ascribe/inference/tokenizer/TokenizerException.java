package io.ascribe.inference.tokenizer;

import io.ascribe.inference.model.ModelException;

/**
 * A {@code tokenizer.json} that cannot be used: missing, not JSON, not a Hugging Face tokenizer, a
 * model type this program does not run, or no way to tell its BOS/EOS tokens. The message names the
 * file and what to do about it.
 */
public final class TokenizerException extends ModelException {
  public TokenizerException(String message) {
    super(message);
  }

  public TokenizerException(String message, Throwable cause) {
    super(message, cause);
  }
}
