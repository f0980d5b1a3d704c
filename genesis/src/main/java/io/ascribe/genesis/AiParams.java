package io.ascribe.genesis;

import java.math.BigInteger;

/**
 * Protocol parameters of the AI ledger: how the fee of a piece of AI work (a tuning job's escrow,
 * an inference request's fee) is divided, and the rules of tuning jobs, inference receipts and
 * slashing.
 *
 * @param workFeeSplit how each AI work fee is divided
 * @param jobs tuning-job rules
 * @param inference inference-receipt rules
 * @param slashing penalties for provable misbehaviour
 */
public record AiParams(
    WorkFeeSplit workFeeSplit, Jobs jobs, Inference inference, Slashing slashing) {

  /**
   * Shares of each AI work fee in basis points, summing to 10,000. Contributors are paid pro rata
   * to their positive attribution scores; a share with nobody to receive it is burned, so no fee
   * ever flows back to whoever paid it.
   */
  public record WorkFeeSplit(
      int contributorsBps,
      int fineTunerBps,
      int executorBps,
      int verifiersBps,
      int validatorsBps,
      int burnBps) {}

  /**
   * @param verifiers verifiers assigned to each job besides its executor
   * @param executorBond bond an account posts to declare the inference capability (slashable)
   * @param minJobFee the least fee escrow a tuning job may offer
   * @param maxDeadlineBlocks the furthest ahead a job's deadline may be
   * @param fraudSlashBps share of the executor's bond slashed when a quorum rejects its result
   * @param missedDeadlineSlashBps share of the executor's bond slashed when it misses a deadline
   * @param verifyWindowBlocks blocks the verifiers have after a job's deadline to attest; a
   *     quorum's acceptance stays open to a challenge for as long, and a dispute's vote lasts as
   *     long
   */
  public record Jobs(
      int verifiers,
      BigInteger executorBond,
      BigInteger minJobFee,
      long maxDeadlineBlocks,
      int fraudSlashBps,
      int missedDeadlineSlashBps,
      long verifyWindowBlocks) {

    /** These rules with {@code count} verifiers per job (a small testnet has few executors). */
    public Jobs withVerifiers(int count) {
      return new Jobs(
          count,
          executorBond,
          minJobFee,
          maxDeadlineBlocks,
          fraudSlashBps,
          missedDeadlineSlashBps,
          verifyWindowBlocks);
    }
  }

  /**
   * @param minRequestFee the least fee one inference request may pay
   * @param challengeWindowBlocks blocks after a receipt batch during which a verifier may challenge
   * @param scoreSumToleranceBps how far a receipt's attribution scores may sum from 1
   * @param fraudSlashBps share of the loser's bond slashed when a challenge is decided
   */
  public record Inference(
      BigInteger minRequestFee,
      long challengeWindowBlocks,
      int scoreSumToleranceBps,
      int fraudSlashBps) {}

  /**
   * @param doubleSignSlashBps share of a validator's stake slashed for signing two things at one
   *     height, round and step
   * @param evidenceMaxAgeBlocks how many blocks back evidence of a double sign may still be
   *     included
   */
  public record Slashing(int doubleSignSlashBps, long evidenceMaxAgeBlocks) {}

  /** These parameters with the tuning-job rules replaced by {@code newJobs}. */
  public AiParams withJobs(Jobs newJobs) {
    return new AiParams(workFeeSplit, newJobs, inference, slashing);
  }
}
