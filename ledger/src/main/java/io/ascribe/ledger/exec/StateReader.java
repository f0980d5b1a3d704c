package io.ascribe.ledger.exec;

import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Address;
import io.ascribe.ledger.state.SystemState;

/** Read access to a state: committed, or committed plus a block's pending changes. */
public interface StateReader {
  /** The account's state; {@link AccountState#EMPTY} for an address never seen. */
  AccountState account(Address address);

  SystemState system();
}
