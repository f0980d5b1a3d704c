package io.ascribe.genesis;

import java.math.BigInteger;

/**
 * Protocol parameters fixed at genesis.
 *
 * @param blockTimeMs target interval between blocks
 * @param epochLength blocks per epoch (reward roots are computed at each epoch end)
 * @param validatorSetDelay blocks between a stake change and its effect on the validator set
 * @param unbondingBlocks blocks unstaked stake stays unbonding, and slashable, after the validator
 *     set without it takes over, before it returns to the balance; at least {@code
 *     ai.slashing.evidenceMaxAgeBlocks}, so evidence of anything the stake signed lands while it is
 *     still there
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
    long unbondingBlocks,
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

  /**
   * Parameters whose {@code unbondingBlocks} is the default, the evidence age ({@code
   * ai.slashing.evidenceMaxAgeBlocks}): the shortest unbonding that still leaves every double sign
   * of the stake slashable.
   */
  public ProtocolParams(
      long blockTimeMs,
      long epochLength,
      long validatorSetDelay,
      BigInteger minValidatorStake,
      BigInteger minFee,
      int maxBlockTxs,
      FeeSplit feeSplit,
      long bondLockBlocks,
      AiParams ai) {
    this(
        blockTimeMs,
        epochLength,
        validatorSetDelay,
        ai.slashing().evidenceMaxAgeBlocks(),
        minValidatorStake,
        minFee,
        maxBlockTxs,
        feeSplit,
        bondLockBlocks,
        ai);
  }

  /** Whether {@code unbondingBlocks} is the default for these parameters' evidence age. */
  public boolean defaultUnbonding() {
    return unbondingBlocks == ai.slashing().evidenceMaxAgeBlocks();
  }

  /** These parameters with unstaked stake unbonding for {@code blocks} blocks. */
  public ProtocolParams withUnbondingBlocks(long blocks) {
    return new ProtocolParams(
        blockTimeMs,
        epochLength,
        validatorSetDelay,
        blocks,
        minValidatorStake,
        minFee,
        maxBlockTxs,
        feeSplit,
        bondLockBlocks,
        ai);
  }

  /** These parameters with epochs of {@code blocks} blocks (a short epoch for tests and demos). */
  public ProtocolParams withEpochLength(long blocks) {
    return new ProtocolParams(
        blockTimeMs,
        blocks,
        validatorSetDelay,
        unbondingBlocks,
        minValidatorStake,
        minFee,
        maxBlockTxs,
        feeSplit,
        bondLockBlocks,
        ai);
  }

  /**
   * These parameters with the AI ledger's rules replaced by {@code newAi}; a default unbonding
   * follows the new evidence age, a chosen one stays.
   */
  public ProtocolParams withAi(AiParams newAi) {
    return new ProtocolParams(
        blockTimeMs,
        epochLength,
        validatorSetDelay,
        defaultUnbonding() ? newAi.slashing().evidenceMaxAgeBlocks() : unbondingBlocks,
        minValidatorStake,
        minFee,
        maxBlockTxs,
        feeSplit,
        bondLockBlocks,
        newAi);
  }
}
