package io.ascribe.genesis;

/**
 * A genesis that cannot be used, with the JSON path of the offending field ({@code chainId}, {@code
 * validators[1].stake}, {@code params.feeSplit.burnBps}) so an operator can go straight to it. The
 * path is empty when the problem is the document as a whole, such as text that is not JSON.
 */
public final class InvalidGenesisException extends RuntimeException {
  private final String field;

  public InvalidGenesisException(String field, String problem) {
    super(field.isEmpty() ? "genesis: " + problem : "genesis field " + field + ": " + problem);
    this.field = field;
  }

  /** The JSON path of the field at fault, or {@code ""} for the whole document. */
  public String field() {
    return field;
  }
}
