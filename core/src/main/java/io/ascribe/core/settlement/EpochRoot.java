package io.ascribe.core.settlement;

import io.ascribe.core.types.Hash;

/**
 * What Ascribe's validators sign for the EVM at the end of an epoch, the fields of the EIP-712
 * struct {@code EpochRoot(uint64 epoch, bytes32 rewardsRoot, bytes32 validatorSetHash)} that {@code
 * RewardDistributor.submitEpoch} checks: the epoch's number, the Merkle root of every account's
 * cumulative reward, and the {@link ValidatorSet#hash} of the validators that sign it.
 */
public record EpochRoot(long epoch, Hash rewardsRoot, Hash validatorSetHash) {

  public EpochRoot {
    if (epoch < 1) {
      throw new IllegalArgumentException("epochs are numbered from 1, got " + epoch);
    }
  }

  /** The digest a validator signs for this root at the distributor of {@code domain}. */
  public Hash digest(Eip712Domain domain) {
    return SettlementMessages.epochRootDigest(domain, epoch, rewardsRoot, validatorSetHash);
  }
}
