package io.ascribe.ledger.exec;

import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Address;
import io.ascribe.ledger.state.SystemState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A block's changes on top of the committed state. Execution writes only here, so a block that
 * turns out invalid is dropped without touching the committed state.
 */
public final class StateOverlay implements StateReader {
  private final StateReader base;
  private final Map<Address, AccountState> changed = new LinkedHashMap<>();
  private SystemState system;

  public StateOverlay(StateReader base) {
    this.base = base;
    this.system = base.system();
  }

  @Override
  public AccountState account(Address address) {
    AccountState state = changed.get(address);
    return state != null ? state : base.account(address);
  }

  public void put(Address address, AccountState state) {
    changed.put(address, state);
  }

  @Override
  public SystemState system() {
    return system;
  }

  public void setSystem(SystemState system) {
    this.system = system;
  }

  /** Accounts written by this block, in first-write order. */
  public Map<Address, AccountState> changedAccounts() {
    return Collections.unmodifiableMap(changed);
  }
}
