package io.ascribe.ledger.exec;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.AiParams;
import io.ascribe.ledger.ai.Attestation;
import io.ascribe.ledger.ai.Attestation.Verdict;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.EvalMetrics;
import io.ascribe.ledger.ai.EvalSplit;
import io.ascribe.ledger.ai.Model;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.TuningResult;
import io.ascribe.ledger.ai.TuningSpec;
import io.ascribe.ledger.ai.WeightedDraw;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Tuning jobs' transactions: submitting a job (its fee into escrow, its executor and verifiers
 * drawn at once), the executor posting its result, and verifiers attesting to it, challenging an
 * accepted result or voting in a dispute. How jobs end is {@link JobOutcomes}'s.
 */
final class TuningJobRules {
  /** The most influence scores one result may carry. */
  static final int MAX_SCORES = 10_000;

  private final AiParams.Jobs params;
  private final CapabilityRules capabilities;
  private final JobOutcomes outcomes;

  TuningJobRules(AiParams.Jobs params, CapabilityRules capabilities, JobOutcomes outcomes) {
    this.params = params;
    this.capabilities = capabilities;
    this.outcomes = outcomes;
  }

  void submit(TxContext tx) {
    var submit = tx.body().getSubmitTuningJob();
    StateOverlay state = tx.state();
    Hash model = TxContext.hash32(submit.getBaseModel(), "base model id");
    if (state.object(Model.key(model)).isEmpty()) {
      throw new ActionFailedException("unknown base model " + model + ": register it first");
    }
    Hash datanet =
        DataRules.datanet(state, TxContext.hash32(submit.getDatanet(), "datanet id")).id();
    TuningSpec.Method method = TuningSpec.Method.fromProto(submit.getMethod());
    TuningSpec.Hyperparameters hyperparameters =
        TuningSpec.Hyperparameters.fromProto(submit.getHyperparameters());
    List<TuningSpec.Violation> violations =
        TuningSpec.violations(method, hyperparameters, submit.getEvalBps());
    if (!violations.isEmpty()) {
      throw new ActionFailedException(violations.get(0).message());
    }
    BigInteger escrow = TxContext.amount(submit.getEscrow(), "fee escrow");
    if (escrow.compareTo(params.minJobFee()) < 0) {
      throw new ActionFailedException(
          "fee escrow "
              + Amount.formatOpen(escrow)
              + " OPEN is below the minimum job fee "
              + Amount.formatOpen(params.minJobFee())
              + " OPEN");
    }
    long deadline = submit.getDeadline();
    long latest = tx.height() + params.maxDeadlineBlocks();
    if (deadline <= tx.height() || deadline > latest) {
      throw new ActionFailedException(
          "deadline "
              + deadline
              + " must be after the current height "
              + tx.height()
              + " and at most "
              + params.maxDeadlineBlocks()
              + " blocks ahead (at most "
              + latest
              + ")");
    }
    Hash id = tx.newObjectId("tuning-job");
    List<WeightedDraw.Candidate> candidates = capabilities.eligible(state, Set.of(tx.sender()));
    int needed = 1 + params.verifiers();
    if (candidates.size() < needed) {
      throw new ActionFailedException(
          "only "
              + candidates.size()
              + " validator(s) besides the submitter have declared the inference capability with a"
              + " full bond; a job needs "
              + needed
              + " (1 executor and "
              + params.verifiers()
              + " verifiers): try again when more have declared");
    }
    List<Address> drawn = WeightedDraw.draw(candidates, needed, assignmentSeed(tx.blockHash(), id));
    tx.debitSender(escrow);
    TuningJob job =
        TuningJob.assigned(
            id,
            tx.sender(),
            new TuningSpec(
                model,
                datanet,
                method,
                hyperparameters,
                submit.getSeed(),
                submit.getEvalBps(),
                deadline),
            escrow,
            tx.height(),
            drawn.get(0),
            drawn.subList(1, needed));
    state.setSystem(state.system().withJobs(state.system().jobs().escrow(escrow)));
    JobOutcomes.schedule(state, id, Optional.of(deadline + 1));
    CapabilityRules.bind(state, job.boundAccounts());
    state.put(job);
  }

  /**
   * keccak256("ascribe/assign" ‖ parent block hash ‖ job id): nobody knows the parent's hash before
   * it is decided, and the job id makes each job in a block draw differently.
   */
  static Hash assignmentSeed(Hash parentHash, Hash job) {
    return Keccak.hash(
        "ascribe/assign".getBytes(StandardCharsets.US_ASCII), parentHash.toArray(), job.toArray());
  }

  void post(TxContext tx) {
    var post = tx.body().getPostTuningResult();
    StateOverlay state = tx.state();
    TuningJob job = job(state, TxContext.hash32(post.getJob(), "job id"));
    if (!tx.sender().equals(job.executor())) {
      throw new ActionFailedException(
          "only job " + job.id() + "'s executor " + job.executor() + " may post its result");
    }
    if (tx.height() > job.spec().deadline()) {
      throw new ActionFailedException(
          "job "
              + job.id()
              + "'s deadline "
              + job.spec().deadline()
              + " has passed (now "
              + tx.height()
              + ")");
    }
    if (job.status() != TuningJob.Status.ASSIGNED) {
      throw new ActionFailedException("job " + job.id() + "'s result is already posted");
    }
    Hash adapter = TxContext.hash32(post.getAdapterHash(), "adapter hash");
    if (adapter.equals(Hash.ZERO)) {
      throw new ActionFailedException(
          "adapter hash must be the keccak256 of the adapter's weights");
    }
    if (!post.hasEval()) {
      throw new ActionFailedException("a result must carry its evaluation figures");
    }
    EvalMetrics eval = metrics(post.getEval());
    if (post.getInfluenceCount() > MAX_SCORES) {
      throw new ActionFailedException(
          "a result carries at most "
              + MAX_SCORES
              + " influence scores, got "
              + post.getInfluenceCount());
    }
    SortedMap<Hash, Long> influence = new TreeMap<>();
    for (var score : post.getInfluenceList()) {
      Hash id = TxContext.hash32(score.getContribution(), "scored contribution id");
      checkScored(state, job, id);
      if (influence.put(id, score.getScoreE9()) != null) {
        throw new ActionFailedException("contribution " + id + " is scored twice");
      }
    }
    TuningJob posted =
        job.posted(new TuningResult(adapter, post.getFinalLossE9(), eval, influence, tx.height()));
    state.put(posted);
    if (posted.verifiers().isEmpty()) {
      // A chain that asks no verifiers (the one-validator devnet) takes a result as accepted when
      // it is posted; it stays open to a challenge for the window like any accepted result.
      outcomes.acceptedByQuorum(state, posted, tx.height());
      return;
    }
    JobOutcomes.schedule(state, job.id(), Optional.of(outcomes.attestBy(job) + 1));
  }

  /** A scored contribution must be one the job trained on. */
  private static void checkScored(LedgerReader state, TuningJob job, Hash id) {
    Contribution c =
        state
            .object(Contribution.key(id))
            .map(Contribution.class::cast)
            .orElseThrow(() -> new ActionFailedException("unknown contribution " + id));
    if (!c.datanet().equals(job.spec().datanet())) {
      throw new ActionFailedException(
          "contribution "
              + id
              + " belongs to datanet "
              + c.datanet()
              + ", not the job's datanet "
              + job.spec().datanet());
    }
    if (c.status() != Contribution.Status.ACTIVE) {
      throw new ActionFailedException("contribution " + id + " is " + c.status() + ", not active");
    }
    if (c.height() > job.submittedHeight()) {
      throw new ActionFailedException(
          "contribution "
              + id
              + " was added at height "
              + c.height()
              + ", after the job was submitted at "
              + job.submittedHeight());
    }
    if (EvalSplit.heldOut(job.spec().seed(), job.spec().evalBps(), id)) {
      throw new ActionFailedException(
          "contribution " + id + " is held out for evaluation: the job does not train on it");
    }
  }

  private static EvalMetrics metrics(io.ascribe.core.proto.EvalMetrics proto) {
    EvalMetrics metrics = EvalMetrics.fromProto(proto);
    if (metrics.rougeLE9() > EvalMetrics.ROUGE_MAX) {
      throw new ActionFailedException(
          "ROUGE-L must be in [0, 10^9] (times 10^9), got " + metrics.rougeLE9());
    }
    return metrics;
  }

  void attest(TxContext tx) {
    var attest = tx.body().getAttest();
    StateOverlay state = tx.state();
    TuningJob job = job(state, TxContext.hash32(attest.getJob(), "job id"));
    Verdict verdict = Verdict.fromProto(attest.getVerdict());
    Optional<EvalMetrics> recomputed =
        attest.hasRecomputed() ? Optional.of(metrics(attest.getRecomputed())) : Optional.empty();
    if (verdict == Verdict.REJECT && recomputed.isEmpty()) {
      throw new ActionFailedException("a rejection must carry the recomputed evaluation figures");
    }
    Attestation attestation =
        new Attestation(tx.sender(), verdict, recomputed, tx.height(), BigInteger.ZERO);
    if (attest.getChallenge()) {
      challenge(state, job, attestation);
    } else if (job.status() == TuningJob.Status.DISPUTED) {
      voteInDispute(state, job, attestation);
    } else {
      attestAsVerifier(state, job, attestation);
    }
  }

  private void attestAsVerifier(StateOverlay state, TuningJob job, Attestation attestation) {
    Address verifier = attestation.verifier();
    if (!job.verifiers().contains(verifier)) {
      throw new ActionFailedException(
          verifier
              + " is not a verifier of job "
              + job.id()
              + " (its verifiers are "
              + job.verifiers()
              + ")");
    }
    if (job.attestationBy(verifier).isPresent()) {
      throw new ActionFailedException(verifier + " has already attested job " + job.id());
    }
    long closes = outcomes.attestBy(job);
    if (attestation.height() > closes) {
      throw new ActionFailedException(
          "job " + job.id() + "'s attestation window closed at height " + closes);
    }
    switch (job.status()) {
      case POSTED -> {}
      case ASSIGNED ->
          throw new ActionFailedException("job " + job.id() + " has no result to attest yet");
      case ACCEPTED ->
          throw new ActionFailedException(
              "a quorum already accepted job "
                  + job.id()
                  + "; to dispute it, challenge it by height "
                  + outcomes.challengeBy(job));
      case DISPUTED, FINAL, REJECTED, EXPIRED ->
          throw new ActionFailedException("job " + job.id() + " is already " + job.status());
    }
    TuningJob attested = job.attested(attestation);
    state.put(attested);
    if (attested.count(Verdict.ACCEPT) >= attested.quorum()) {
      outcomes.acceptedByQuorum(state, attested, attestation.height());
    } else if (attested.count(Verdict.REJECT) >= attested.quorum()) {
      if (attested.count(Verdict.ACCEPT) > 0) {
        // A dissent reaches the capable stake, as an accepted result's does by a challenge: the
        // accepting minority may be honest, or may have accepted without checking.
        outcomes.openDispute(state, attested, Optional.empty(), attestation.height());
      } else {
        outcomes.rejectedByQuorum(state, attested, attestation.height());
      }
    }
  }

  private void challenge(StateOverlay state, TuningJob job, Attestation challenge) {
    Address challenger = challenge.verifier();
    if (job.status() != TuningJob.Status.ACCEPTED) {
      throw new ActionFailedException(
          "only a result a quorum accepted can be challenged; job "
              + job.id()
              + " is "
              + job.status());
    }
    long closes = outcomes.challengeBy(job);
    if (challenge.height() > closes) {
      throw new ActionFailedException(
          "job " + job.id() + "'s challenge window closed at height " + closes);
    }
    if (challenge.verdict() != Verdict.REJECT) {
      throw new ActionFailedException(
          "a challenge must reject the result, with recomputed figures");
    }
    if (job.attestationBy(challenger).filter(a -> a.verdict() == Verdict.ACCEPT).isPresent()) {
      throw new ActionFailedException(
          challenger + " accepted job " + job.id() + "'s result; it cannot challenge it");
    }
    requireVoter(state, job, challenger);
    outcomes.openDispute(state, job, Optional.of(challenge), challenge.height());
  }

  private void voteInDispute(StateOverlay state, TuningJob job, Attestation vote) {
    long closes = outcomes.voteBy(job);
    if (vote.height() > closes) {
      throw new ActionFailedException("job " + job.id() + "'s dispute closed at height " + closes);
    }
    if (job.dispute().orElseThrow().hasVoted(vote.verifier())) {
      throw new ActionFailedException(
          vote.verifier() + " has already voted in job " + job.id() + "'s dispute");
    }
    requireVoter(state, job, vote.verifier());
    outcomes.vote(state, job, vote, vote.height());
  }

  /** Challengers and dispute voters: capable validators, neither the executor nor the submitter. */
  private void requireVoter(LedgerReader state, TuningJob job, Address voter) {
    if (voter.equals(job.executor()) || voter.equals(job.submitter())) {
      throw new ActionFailedException(
          voter
              + " is a party to job "
              + job.id()
              + " (its executor or submitter) and cannot vote on it");
    }
    boolean capable =
        capabilities.eligible(state, Set.of()).stream().anyMatch(c -> c.address().equals(voter));
    if (!capable) {
      throw new ActionFailedException(
          "only validators with an active inference capability and a full bond may challenge a"
              + " result or vote in a dispute; "
              + voter
              + " is not one");
    }
  }

  /** The job with {@code id}, or a failed action naming it. */
  static TuningJob job(LedgerReader state, Hash id) {
    return state
        .object(TuningJob.key(id))
        .map(TuningJob.class::cast)
        .orElseThrow(() -> new ActionFailedException("unknown tuning job " + id));
  }
}
