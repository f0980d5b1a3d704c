package io.ascribe.node.consensus;

import io.ascribe.consensus.PrecommitAttestation;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.Ledger;
import java.util.Optional;

/**
 * The epoch-root digest that precommits sign beside their vote ({@link Ledger#epochRootDigest}),
 * remembered for the height last asked: it is a Merkle root over every rewarded account, and the
 * verifier asks for it with every precommit of the height. Used on the consensus thread only.
 */
final class EpochRootDigests implements PrecommitAttestation {
  private final Ledger ledger;
  private long height = -1;
  private Optional<Hash> digest = Optional.empty();

  EpochRootDigests(Ledger ledger) {
    this.ledger = ledger;
  }

  @Override
  public Optional<Hash> digest(long height) {
    if (height != this.height) {
      // A committed or the next height only; the ledger refuses later ones, and so, then, do we.
      digest = ledger.precommitDigest(height);
      this.height = height;
    }
    return digest;
  }
}
