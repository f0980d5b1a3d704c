package io.ascribe.ledger.exec;

import io.ascribe.core.proto.Block;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.state.StateTree;
import io.ascribe.ledger.state.SystemState;
import java.util.List;
import java.util.Map;

/**
 * A block executed against the committed state but not yet committed: its header (with the
 * post-state root), receipts, and the state it leads to (accounts and AI objects it changed).
 * {@code rejected} lists the candidates a proposer left out, with the reason.
 */
public record ExecutedBlock(
    Block block,
    Hash hash,
    List<TxReceipt> receipts,
    Map<Address, AccountState> changedAccounts,
    Map<Hash, LedgerObject> changedObjects,
    SystemState system,
    StateTree tree,
    List<Rejected> rejected) {

  /** A candidate transaction that could not be included, and why. */
  public record Rejected(SignedTransaction tx, String reason) {}

  public long height() {
    return block.getHeader().getHeight();
  }
}
