package io.ascribe.contracts.settlement;

/**
 * A contract call or transaction reverted; {@link #errorName()} is the Solidity custom error (e.g.
 * {@code InsufficientPower}) when it could be decoded from the revert data.
 */
public final class ContractRevertedException extends RuntimeException {
  private final String errorName;
  private final String data;

  public ContractRevertedException(String action, String errorName, String data) {
    super(action + " reverted: " + (errorName == null ? "unknown error" : errorName) + " " + data);
    this.errorName = errorName;
    this.data = data;
  }

  /** The custom error's name, or null when the revert data matched no known error. */
  public String errorName() {
    return errorName;
  }

  /** The raw revert data as 0x-hex (may be empty). */
  public String data() {
    return data;
  }
}
