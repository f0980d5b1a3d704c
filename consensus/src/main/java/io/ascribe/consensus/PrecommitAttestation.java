package io.ascribe.consensus;

import io.ascribe.core.types.Hash;
import java.util.Optional;

/**
 * A second digest that precommits sign at some heights, so that the commit deciding such a height
 * also holds more than 2/3 of the power's signatures over it: at an epoch's last block, the EIP-712
 * EpochRoot that the EVM reward distributor verifies (CometBFT's vote extensions serve the same
 * purpose). {@link KeySigner} signs it beside every precommit for a block, {@link
 * VoteVerifier#secp256k1(long, PrecommitAttestation)} refuses a precommit for a block without a
 * valid one, and the machine therefore counts only precommits that carry it.
 *
 * <p>The digest must be a pure function of the chain committed before the height, never of the
 * block being decided. Then every validator signs the same digest in every round, can check a
 * peer's signature before it has the block, and an honest validator always has a valid one: the
 * requirement excludes only precommits from faulty validators (less than 1/3 of the power), as if
 * they had not voted, so it cannot stall the chain. Nil precommits and prevotes carry none.
 */
@FunctionalInterface
public interface PrecommitAttestation {

  /** Nothing beside the votes, at any height. */
  PrecommitAttestation NONE = height -> Optional.empty();

  /**
   * The digest precommits for a block at {@code height} also sign; empty where they sign none.
   * Asked for the height being decided only.
   */
  Optional<Hash> digest(long height);
}
