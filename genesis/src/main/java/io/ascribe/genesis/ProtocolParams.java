package io.ascribe.genesis;

import java.math.BigInteger;

/**
 * Protocol parameters fixed at genesis.
 *
 * @param blockTimeMs target interval between blocks
 * @param epochLength blocks per epoch (reward roots are computed at each epoch end)
 * @param validatorSetDelay blocks between a stake change and its effect on the validator set
 * @param minValidatorStake the bond below which an account is not a validator
 * @param minFee the least fee a transaction may offer, in wei
 * @param maxBlockTxs the most transactions in one block
 * @param feeSplit how each fee is divided
 * @param bondLockBlocks blocks a contribution's bond stays locked before it can be withdrawn
 * @param ai the AI ledger's fee split, job, inference and slashing rules
 */
public record ProtocolParams(
    long blockTimeMs,
    long epochLength,
    long validatorSetDelay,
    BigInteger minValidatorStake,
    BigInteger minFee,
    int maxBlockTxs,
    FeeSplit feeSplit,
    long bondLockBlocks,
    AiParams ai) {

  /**
   * Shares of every fee in basis points (1/10,000); they sum to 10,000. The burned share makes
   * paying fees to oneself a loss by construction.
   */
  public record FeeSplit(int burnBps, int validatorsBps) {
    public static final int TOTAL_BPS = 10_000;
  }

  /** These parameters with epochs of {@code blocks} blocks (a short epoch for tests and demos). */
  public ProtocolParams withEpochLength(long blocks) {
    return new ProtocolParams(
        blockTimeMs,
        blocks,
        validatorSetDelay,
        minValidatorStake,
        minFee,
        maxBlockTxs,
        feeSplit,
        bondLockBlocks,
        ai);
  }

  /** These parameters with the AI ledger's rules replaced by {@code newAi}. */
  public ProtocolParams withAi(AiParams newAi) {
    return new ProtocolParams(
        blockTimeMs,
        epochLength,
        validatorSetDelay,
        minValidatorStake,
        minFee,
        maxBlockTxs,
        feeSplit,
        bondLockBlocks,
        newAi);
  }
}
