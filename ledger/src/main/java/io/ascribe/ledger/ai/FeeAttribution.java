package io.ascribe.ledger.ai;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Who earned and who lost what from one settled fee, by role: each account's share of the fee (a
 * data contributor's with the contributions it was paid for and their scores), the part burned, the
 * part refunded to the payer, and the bonds slashed over it (burned on top of the fee). The shares,
 * the burn and the refund add up to the fee exactly. A tuning job's is read from its {@link
 * JobSettlement}; an inference receipt's has the same shape, with a fine-tuner among the roles.
 *
 * @param fee what the payer put up (a job's escrow)
 * @param payer who put it up (a job's submitter)
 * @param height the block that settled it
 * @param shares in {@link WorkShare#ORDER}
 * @param slashed in {@link WorkShare#ORDER}; their roles are the ones the accounts were slashed in
 */
public record FeeAttribution(
    BigInteger fee,
    Address payer,
    long height,
    List<Share> shares,
    BigInteger burned,
    BigInteger refunded,
    List<WorkShare> slashed) {

  /**
   * One account's share in one role.
   *
   * @param sources for a contributor, each contribution it was paid for and its score (fixed-point
   *     times 10^9: a tuning job's influence); empty for every other role
   */
  public record Share(WorkShare share, SortedMap<Hash, Long> sources) {
    public Share {
      sources = Collections.unmodifiableSortedMap(new TreeMap<>(sources));
    }
  }

  public FeeAttribution {
    shares = List.copyOf(shares);
    slashed = slashed.stream().sorted(WorkShare.ORDER).toList();
  }

  /**
   * The attribution of {@code job}'s fee, once the job is over.
   *
   * @param contributorOf the account that made each contribution the job's result scored
   * @return empty while the job is open: nothing is settled yet
   */
  public static Optional<FeeAttribution> of(TuningJob job, Function<Hash, Address> contributorOf) {
    if (job.settlement().isEmpty()) {
      return Optional.empty();
    }
    JobSettlement settlement = job.settlement().get();
    SortedMap<Hash, Long> paidFor = new TreeMap<>();
    job.result()
        .ifPresent(
            r ->
                r.influence()
                    .forEach(
                        (id, score) -> {
                          if (score > 0) {
                            paidFor.put(id, score);
                          }
                        }));
    List<Share> shares = new ArrayList<>();
    for (WorkShare share : settlement.shares()) {
      SortedMap<Hash, Long> sources = new TreeMap<>();
      if (share.role() == WorkRole.CONTRIBUTOR) {
        paidFor.forEach(
            (id, score) -> {
              if (contributorOf.apply(id).equals(share.account())) {
                sources.put(id, score);
              }
            });
      }
      shares.add(new Share(share, sources));
    }
    List<WorkShare> slashed = new ArrayList<>();
    settlement
        .slashed()
        .forEach(
            (account, amount) ->
                slashed.add(new WorkShare(account, slashedAs(job, account), amount)));
    return Optional.of(
        new FeeAttribution(
            job.escrow(),
            job.submitter(),
            settlement.height(),
            shares,
            settlement.burned(),
            settlement.refunded(),
            slashed));
  }

  /** The part a slashed account played: executor, assigned verifier, or else a dispute voter. */
  public static WorkRole slashedAs(TuningJob job, Address account) {
    if (account.equals(job.executor())) {
      return WorkRole.EXECUTOR;
    }
    return job.verifiers().contains(account) ? WorkRole.VERIFIER : WorkRole.VOTER;
  }
}
