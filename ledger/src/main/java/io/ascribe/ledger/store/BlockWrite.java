package io.ascribe.ledger.store;

import io.ascribe.core.proto.Block;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.Receipt;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.List;
import java.util.Map;

/**
 * Everything one committed block changes on disk, written as one atomic batch; {@code objects} maps
 * an AI object's state-tree key to its encoded {@code LedgerObject}.
 */
public record BlockWrite(
    long height,
    Hash blockHash,
    Block block,
    Commit commit,
    List<Receipt> receipts,
    Map<Address, AccountState> accounts,
    Map<Hash, byte[]> objects,
    byte[] systemRecord) {}
