package io.ascribe.ledger.exec;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.ai.NearDuplicate;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;

/**
 * Read access to the whole ledger state execution needs: accounts and the protocol record, plus the
 * AI objects and the lookups the contribution rules use. Kept apart from {@link StateReader}
 * because the mempool only needs accounts.
 */
public interface LedgerReader extends StateReader {
  /** The object under a state-tree key, if one exists. */
  Optional<LedgerObject> object(Hash key);

  /** The contribution in {@code datanet} whose content hash is {@code contentHash}, if any. */
  Optional<Hash> contributionWithContent(Hash datanet, Hash contentHash);

  /** The most similar contribution in {@code datanet} at or above {@code thresholdBps}. */
  Optional<NearDuplicate> nearDuplicate(Hash datanet, MinHash signature, int thresholdBps);

  /** Every account's cumulative reward. */
  Map<Address, BigInteger> rewards();
}
