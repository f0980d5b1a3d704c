package io.ascribe.ledger.exec;

import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.AiParams;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.Attestation;
import io.ascribe.ledger.ai.Attestation.Verdict;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.JobSettlement;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.TuningResult;
import io.ascribe.ledger.ai.WeightedDraw;
import io.ascribe.ledger.ai.WorkFeeSplitter;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How tuning jobs end, and what each end pays, refunds and slashes; also the deadlines that end
 * them, which {@link TxExecutor#beginBlock} hands here at the first block past each.
 *
 * <ul>
 *   <li>FINAL: the escrow is split by {@link WorkFeeSplitter} between the contributors (pro rata to
 *       positive influence), the executor, the verifiers that accepted and the validators; the
 *       fine-tuner share is burned, because a new adapter has no earlier fine-tuner to pay and
 *       paying it to the submitter would rebate its own fee, to the executor would reward faking.
 *   <li>REJECTED: the executor loses {@code fraudSlashBps} of a full bond; the submitter gets the
 *       whole escrow back.
 *   <li>EXPIRED: the submitter gets the whole escrow back; an executor that never posted, and
 *       verifiers that never attested, lose {@code missedDeadlineSlashBps} of a full bond.
 *   <li>A dispute (a challenge of an accepted result, a reject quorum with an accept among the
 *       verifiers, or verifiers split at the deadline) is decided by the stake of the votes cast (a
 *       tie upholds the result); every voter on the losing side loses {@code fraudSlashBps} of a
 *       full bond.
 * </ul>
 *
 * Every slash is burned, never paid to whoever caused it, so false rejections and false challenges
 * cannot profit anyone.
 */
final class JobOutcomes {
  private final AiParams.Jobs params;
  private final CapabilityRules capabilities;
  private final WorkFeeSplitter splitter;

  JobOutcomes(AiParams ai, CapabilityRules capabilities) {
    this.params = ai.jobs();
    this.capabilities = capabilities;
    this.splitter = new WorkFeeSplitter(ai.workFeeSplit());
  }

  /** The last height at which the assigned verifiers may attest. */
  long attestBy(TuningJob job) {
    return job.spec().deadline() + params.verifyWindowBlocks();
  }

  /** The last height at which an accepted result may be challenged. */
  long challengeBy(TuningJob job) {
    return job.acceptedHeight() + params.verifyWindowBlocks();
  }

  /** The last height at which a dispute takes votes. */
  long voteBy(TuningJob job) {
    return job.dispute().orElseThrow().height() + params.verifyWindowBlocks();
  }

  /** Handles every job whose deadline passed before block {@code height}. */
  void onBlock(StateOverlay state, long height) {
    for (Hash id : state.system().jobs().due(height)) {
      TuningJob job = TuningJobRules.job(state, id);
      schedule(state, id, Optional.empty());
      switch (job.status()) {
        case ASSIGNED -> {
          SortedMap<Address, BigInteger> slashed = new TreeMap<>();
          slash(state, slashed, job.executor(), params.missedDeadlineSlashBps());
          end(state, job, TuningJob.Status.EXPIRED, height, slashed);
        }
        case POSTED -> {
          if (job.count(Verdict.ACCEPT) > 0 && job.count(Verdict.REJECT) > 0) {
            openDispute(state, job, Optional.empty(), height);
          } else {
            SortedMap<Address, BigInteger> slashed = new TreeMap<>();
            slashAbsentVerifiers(state, slashed, job);
            end(state, job, TuningJob.Status.EXPIRED, height, slashed);
          }
        }
        case ACCEPTED -> end(state, job, TuningJob.Status.FINAL, height, new TreeMap<>());
        case DISPUTED -> decide(state, job, height);
        case FINAL, REJECTED, EXPIRED -> {
          // An ended job has no deadline left; nothing to do.
        }
      }
    }
  }

  /** A quorum of the assigned verifiers, and every one that attested, rejected the result. */
  void rejectedByQuorum(StateOverlay state, TuningJob job, long height) {
    SortedMap<Address, BigInteger> slashed = new TreeMap<>();
    slash(state, slashed, job.executor(), params.fraudSlashBps());
    end(state, job, TuningJob.Status.REJECTED, height, slashed);
  }

  /** A quorum of the assigned verifiers accepted: the challenge window opens. */
  void acceptedByQuorum(StateOverlay state, TuningJob job, long height) {
    TuningJob accepted = job.accepted(height);
    state.put(accepted);
    schedule(state, job.id(), Optional.of(challengeBy(accepted) + 1));
  }

  /**
   * Opens a dispute over {@code job}'s result: the assigned verifiers' verdicts count as votes,
   * weighted by their stake now, and {@code challenger} (if any) votes to reject.
   */
  void openDispute(
      StateOverlay state, TuningJob job, Optional<Attestation> challenge, long height) {
    TuningJob.Dispute dispute =
        new TuningJob.Dispute(
            challenge.map(Attestation::verifier),
            height,
            job.attestations().stream()
                .map(a -> a.withWeight(stake(state, a.verifier())))
                .toList());
    TuningJob disputed = job.disputed(dispute);
    state.put(disputed);
    schedule(state, job.id(), Optional.of(voteBy(disputed) + 1));
    challenge.ifPresentOrElse(
        c -> vote(state, disputed, c, height), () -> decideIfClear(state, disputed, height));
  }

  /** Counts {@code vote} in {@code job}'s dispute; decides it once one side holds most stake. */
  void vote(StateOverlay state, TuningJob job, Attestation vote, long height) {
    if (!job.boundAccounts().contains(vote.verifier())) {
      CapabilityRules.bind(state, List.of(vote.verifier()));
    }
    TuningJob voted = job.voted(vote.withWeight(stake(state, vote.verifier())));
    state.put(voted);
    decideIfClear(state, voted, height);
  }

  /** Stake that may vote in {@code job}'s dispute: the capable validators but its two parties. */
  BigInteger eligibleStake(StateOverlay state, TuningJob job) {
    return capabilities.eligible(state, Set.of(job.executor(), job.submitter())).stream()
        .map(WeightedDraw.Candidate::weight)
        .reduce(BigInteger.ZERO, BigInteger::add);
  }

  private void decideIfClear(StateOverlay state, TuningJob job, long height) {
    TuningJob.Dispute dispute = job.dispute().orElseThrow();
    BigInteger eligible = eligibleStake(state, job);
    if (dispute.weight(Verdict.REJECT).shiftLeft(1).compareTo(eligible) > 0
        || dispute.weight(Verdict.ACCEPT).shiftLeft(1).compareTo(eligible) > 0) {
      decide(state, job, height);
    }
  }

  /** Ends a dispute: more rejecting stake than accepting rejects the result, else it stands. */
  private void decide(StateOverlay state, TuningJob job, long height) {
    TuningJob.Dispute dispute = job.dispute().orElseThrow();
    boolean rejected = dispute.weight(Verdict.REJECT).compareTo(dispute.weight(Verdict.ACCEPT)) > 0;
    Verdict losing = rejected ? Verdict.ACCEPT : Verdict.REJECT;
    SortedMap<Address, BigInteger> slashed = new TreeMap<>();
    for (Attestation vote : dispute.votes()) {
      if (vote.verdict() == losing) {
        slash(state, slashed, vote.verifier(), params.fraudSlashBps());
      }
    }
    if (dispute.challenger().isEmpty() && dispute.height() > attestBy(job)) {
      // The verifiers split at the attestation deadline; the ones that never attested missed it.
      slashAbsentVerifiers(state, slashed, job);
    }
    if (rejected) {
      slash(state, slashed, job.executor(), params.fraudSlashBps());
    }
    end(state, job, rejected ? TuningJob.Status.REJECTED : TuningJob.Status.FINAL, height, slashed);
  }

  /**
   * Ends {@code job}: FINAL pays the escrow out and registers the adapter, REJECTED and EXPIRED
   * refund it; every bond it held is let go, and the settlement is recorded on the job.
   */
  private void end(
      StateOverlay state,
      TuningJob job,
      TuningJob.Status end,
      long height,
      SortedMap<Address, BigInteger> slashed) {
    BigInteger escrow = job.escrow();
    schedule(state, job.id(), Optional.empty());
    state.setSystem(state.system().withJobs(state.system().jobs().escrow(escrow.negate())));
    JobSettlement settlement;
    if (end == TuningJob.Status.FINAL) {
      WorkFeeSplitter.Payout payout = splitter.split(escrow, parties(state, job));
      payout.credits().forEach((account, amount) -> Rewards.credit(state, account, amount));
      state.setSystem(state.system().burn(payout.burned()));
      TuningResult result = job.result().orElseThrow();
      state.put(
          new Adapter(
              Adapter.idOf(job.id()),
              job.id(),
              job.spec().baseModel(),
              job.spec().datanet(),
              result.adapterHash(),
              job.submitter(),
              job.spec().method(),
              height));
      settlement =
          new JobSettlement(height, payout.shares(), payout.burned(), BigInteger.ZERO, slashed);
    } else {
      AccountState submitter = state.account(job.submitter());
      state.put(job.submitter(), submitter.withBalance(submitter.balance().add(escrow)));
      settlement = new JobSettlement(height, List.of(), BigInteger.ZERO, escrow, slashed);
    }
    CapabilityRules.release(state, job.boundAccounts());
    state.put(job.settled(end, settlement));
  }

  /** Who shares a final job's fee; see the class comment for why there is no fine-tuner. */
  private static WorkFeeSplitter.Parties parties(StateOverlay state, TuningJob job) {
    Map<Address, BigInteger> weights = new TreeMap<>();
    job.result()
        .orElseThrow()
        .influence()
        .forEach(
            (id, score) -> {
              if (score > 0) {
                Contribution c =
                    state.object(Contribution.key(id)).map(Contribution.class::cast).orElseThrow();
                weights.merge(c.contributor(), BigInteger.valueOf(score), BigInteger::add);
              }
            });
    List<Address> accepted =
        job.attestations().stream()
            .filter(a -> a.verdict() == Verdict.ACCEPT)
            .map(Attestation::verifier)
            .toList();
    return new WorkFeeSplitter.Parties(
        weights,
        Optional.empty(),
        Optional.of(job.executor()),
        accepted,
        state.system().validators());
  }

  private void slashAbsentVerifiers(
      StateOverlay state, SortedMap<Address, BigInteger> slashed, TuningJob job) {
    for (Address verifier : job.verifiers()) {
      if (job.attestationBy(verifier).isEmpty()) {
        slash(state, slashed, verifier, params.missedDeadlineSlashBps());
      }
    }
  }

  private void slash(
      StateOverlay state, SortedMap<Address, BigInteger> slashed, Address account, int bps) {
    BigInteger amount = capabilities.slash(state, account, bps);
    if (amount.signum() > 0) {
      slashed.merge(account, amount, BigInteger::add);
    }
  }

  /** {@code account}'s validator stake now (zero if it is no longer a validator). */
  private static BigInteger stake(StateOverlay state, Address account) {
    return state.system().validators().find(account).map(v -> v.power()).orElse(BigInteger.ZERO);
  }

  /** Sets job {@code id}'s next deadline, or drops it. */
  static void schedule(StateOverlay state, Hash id, Optional<Long> height) {
    var jobs = state.system().jobs();
    state.setSystem(
        state
            .system()
            .withJobs(height.map(h -> jobs.schedule(id, h)).orElseGet(() -> jobs.unschedule(id))));
  }
}
