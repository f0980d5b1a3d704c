package io.ascribe.ledger;

import static io.ascribe.ledger.JobChain.CHAIN_ID;
import static io.ascribe.ledger.JobChain.FEE;
import static io.ascribe.ledger.JobChain.MIN_STAKE;
import static io.ascribe.ledger.JobChain.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.EvalMetrics;
import io.ascribe.core.proto.TuningMethod;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.Capability;
import io.ascribe.ledger.ai.EvalSplit;
import io.ascribe.ledger.ai.JobSettlement;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.WeightedDraw;
import io.ascribe.ledger.ai.WorkRole;
import io.ascribe.ledger.ai.WorkShare;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tuning jobs through the ledger on RocksDB: a job's whole life from declaring the capability to
 * the fee paid out by attribution, each way a job can end, disputes, and the supply invariant after
 * every step. Seven validators of equal stake; two verifiers per job; a five-block window.
 */
class TuningJobLedgerTest {
  static final long WINDOW = 5;
  static final BigInteger ESCROW = OPEN.multiply(BigInteger.valueOf(700));
  static final BigInteger BOND = OPEN.multiply(BigInteger.valueOf(1_000));
  static final EvalMetrics FIGURES = TxBodies.evalMetrics(1_250_000_000L, 420_000_000L);

  @TempDir Path dir;
  JobChain chain;
  PrivateKey submitter;
  Hash model;
  Hash datanet;
  Map<Hash, Long> scores = new LinkedHashMap<>();
  Map<Hash, PrivateKey> contributorOf = new LinkedHashMap<>();

  @BeforeEach
  void setUp() {
    open(dir, 2);
  }

  /** Closes the chain of {@link #setUp} and opens another that asks {@code verifiers} per job. */
  void reopen(String home, int verifiers) {
    chain.close();
    scores.clear();
    contributorOf.clear();
    open(dir.resolve(home), verifiers);
  }

  /** Seven capable validators, {@code verifiers} per job, a model, a datanet of 12 documents. */
  void open(Path home, int verifiers) {
    chain =
        new JobChain(
            home, Collections.nCopies(7, MIN_STAKE), 4, JobChain.jobs(verifiers, 50, WINDOW));
    chain.declareAll();
    submitter = chain.users().get(0);
    model = chain.registerModel(submitter);
    datanet = chain.createDatanet(submitter);
    long[] perContributor = {2_000_000_000L, 1_000_000_000L, -500_000_000L};
    for (int u = 1; u <= 3; u++) {
      for (Hash id : chain.contribute(chain.users().get(u), datanet, 4)) {
        scores.put(id, perContributor[u - 1]);
        contributorOf.put(id, chain.users().get(u));
      }
    }
  }

  @AfterEach
  void tearDown() {
    chain.close();
  }

  // ---- helpers -------------------------------------------------------------------------------

  TuningJob submit() {
    return chain.submit(submitter, model, datanet, ESCROW, chain.height() + 10, 7);
  }

  /** The honest result: every contribution the job trained on, with its score. */
  Map<Hash, Long> influence(TuningJob job) {
    return JobChain.trainedOn(job, scores);
  }

  String post(TuningJob job, PrivateKey as, Map<Hash, Long> influence) {
    Hash adapter = Keccak.hash(("adapter of " + job.id()).getBytes(StandardCharsets.UTF_8));
    return chain
        .run(
            as,
            n ->
                TxBodies.postTuningResult(
                    CHAIN_ID, n, FEE, job.id(), adapter, 900_000_000L, FIGURES, influence))
        .error();
  }

  void post(TuningJob job) {
    assertThat(post(job, executor(job), influence(job))).isEmpty();
  }

  PrivateKey executor(TuningJob job) {
    return chain.keyOf(job.executor());
  }

  PrivateKey verifier(TuningJob job, int i) {
    return chain.keyOf(job.verifiers().get(i));
  }

  /** Validators that are neither the job's executor nor one of its verifiers. */
  List<PrivateKey> outsiders(TuningJob job) {
    List<PrivateKey> out = new ArrayList<>();
    for (PrivateKey v : chain.validators()) {
      if (!v.address().equals(job.executor()) && !job.verifiers().contains(v.address())) {
        out.add(v);
      }
    }
    return out;
  }

  String accept(PrivateKey as, TuningJob job) {
    return chain.run(as, n -> TxBodies.accept(CHAIN_ID, n, FEE, job.id())).error();
  }

  String reject(PrivateKey as, TuningJob job) {
    return chain.run(as, n -> TxBodies.reject(CHAIN_ID, n, FEE, job.id(), FIGURES)).error();
  }

  String challenge(PrivateKey as, TuningJob job) {
    return chain.run(as, n -> TxBodies.challenge(CHAIN_ID, n, FEE, job.id(), FIGURES)).error();
  }

  TuningJob now(TuningJob job) {
    return chain.job(job.id());
  }

  BigInteger balance(PrivateKey key) {
    return chain.ledger().account(key.address()).balance();
  }

  static BigInteger share(BigInteger fee, int bps) {
    return fee.multiply(BigInteger.valueOf(bps)).divide(BigInteger.valueOf(10_000));
  }

  // ---- the whole life of a job ---------------------------------------------------------------

  @Test
  void declareBondsTheExecutorBondFromTheBalance() {
    PrivateKey v = chain.validators().get(0);
    assertThat(chain.ledger().capability(v.address()))
        .hasValueSatisfying(
            c -> {
              assertThat(c.bond()).isEqualTo(BOND);
              assertThat(c.status()).isEqualTo(Capability.Status.ACTIVE);
              assertThat(c.openJobs()).isZero();
            });
    assertThat(balance(v)).isEqualTo(JobChain.FUNDS.subtract(BOND).subtract(FEE));
    BigInteger contributionBonds = JobChain.CONTRIBUTION_BOND.multiply(BigInteger.valueOf(12));
    assertThat(chain.ledger().system().bonded())
        .isEqualTo(BOND.multiply(BigInteger.valueOf(7)).add(contributionBonds));
    chain.assertSupplyInvariant();
  }

  @Test
  void submitEscrowsTheFeeAndDrawsTheAssignmentFromTheParentHashAndJobId() {
    BigInteger before = balance(submitter);
    TuningJob job = submit();

    assertThat(job.status()).isEqualTo(TuningJob.Status.ASSIGNED);
    assertThat(balance(submitter)).isEqualTo(before.subtract(ESCROW).subtract(FEE));
    assertThat(chain.ledger().system().jobs().escrow()).isEqualTo(ESCROW);
    // Drawn again here, independently, from the parent block's hash and the job id.
    Hash parent =
        BlockHashing.headerHash(
            chain.ledger().block(job.submittedHeight() - 1).orElseThrow().getHeader());
    List<WeightedDraw.Candidate> candidates = new ArrayList<>();
    chain
        .validators()
        .forEach(v -> candidates.add(new WeightedDraw.Candidate(v.address(), MIN_STAKE)));
    Hash seed =
        Keccak.hash(
            "ascribe/assign".getBytes(StandardCharsets.US_ASCII),
            parent.toArray(),
            job.id().toArray());
    List<Address> drawn = WeightedDraw.draw(candidates, 3, seed);
    assertThat(job.executor()).isEqualTo(drawn.get(0));
    assertThat(job.verifiers()).containsExactly(drawn.get(1), drawn.get(2));
    for (Address bound : job.boundAccounts()) {
      assertThat(chain.ledger().capability(bound).orElseThrow().openJobs()).isEqualTo(1);
    }
    assertThat(chain.ledger().system().jobs().deadlines())
        .extracting(d -> d.height())
        .containsExactly(job.spec().deadline() + 1);
    chain.assertSupplyInvariant();
  }

  @Test
  void aQuorumOfAcceptsFinalisesAfterTheChallengeWindowAndPaysTheFeeByAttribution() {
    TuningJob job = submit();
    post(job);
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.POSTED);
    assertThat(accept(verifier(job, 0), job)).isEmpty();
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.POSTED);
    assertThat(accept(verifier(job, 1), job)).isEmpty();
    TuningJob accepted = now(job);
    assertThat(accepted.status()).isEqualTo(TuningJob.Status.ACCEPTED);
    assertThat(chain.ledger().adapter(Adapter.idOf(job.id()))).isEmpty();

    chain.advanceTo(accepted.acceptedHeight() + WINDOW);
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.ACCEPTED);
    Map<Address, BigInteger> rewardsBefore = new TreeMap<>(chain.ledger().rewards());
    BigInteger burnedBefore = chain.ledger().system().burned();
    chain.commit();

    TuningJob done = now(job);
    assertThat(done.status()).isEqualTo(TuningJob.Status.FINAL);
    // 40% to contributors by positive influence, 15% executor, 10% split by the two verifiers,
    // 10% validators by stake; the fine-tuner's 15% and the 10% burn are burned.
    Map<Address, BigInteger> expected = new TreeMap<>();
    BigInteger contributors = share(ESCROW, 4_000);
    Map<Address, BigInteger> weights = new TreeMap<>();
    influence(job)
        .forEach(
            (id, score) -> {
              if (score > 0) {
                weights.merge(
                    contributorOf.get(id).address(), BigInteger.valueOf(score), BigInteger::add);
              }
            });
    BigInteger total = weights.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    weights.forEach(
        (a, w) -> expected.merge(a, contributors.multiply(w).divide(total), BigInteger::add));
    expected.merge(job.executor(), share(ESCROW, 1_500), BigInteger::add);
    for (Address v : job.verifiers()) {
      expected.merge(v, share(ESCROW, 500), BigInteger::add);
    }
    for (PrivateKey v : chain.validators()) {
      expected.merge(
          v.address(), share(ESCROW, 1_000).divide(BigInteger.valueOf(7)), BigInteger::add);
    }
    JobSettlement settlement = done.settlement().orElseThrow();
    assertThat(settlement.credits()).isEqualTo(expected);
    // The executor is a validator too; its two shares are recorded apart.
    assertThat(settlement.shares())
        .contains(
            new WorkShare(job.executor(), WorkRole.EXECUTOR, share(ESCROW, 1_500)),
            new WorkShare(
                job.executor(),
                WorkRole.VALIDATOR,
                share(ESCROW, 1_000).divide(BigInteger.valueOf(7))));
    assertThat(settlement.refunded()).isZero();
    BigInteger paid = expected.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    assertThat(settlement.burned()).isEqualTo(ESCROW.subtract(paid));
    // Whoever holds every other role, a quarter of the fee leaves: self-dealing loses money.
    assertThat(settlement.burned()).isGreaterThanOrEqualTo(share(ESCROW, 2_500));
    assertThat(chain.users().get(3).address()).isNotIn(settlement.credits().keySet());
    // The credits are exactly what the reward accounts grew by, and the burn what was burned.
    expected.forEach(
        (a, amount) ->
            assertThat(
                    chain
                        .ledger()
                        .rewards(a)
                        .subtract(rewardsBefore.getOrDefault(a, BigInteger.ZERO)))
                .isEqualTo(amount));
    assertThat(chain.ledger().system().burned().subtract(burnedBefore))
        .isEqualTo(settlement.burned());

    Adapter adapter = chain.ledger().adapter(Adapter.idOf(job.id())).orElseThrow();
    assertThat(adapter.job()).isEqualTo(job.id());
    assertThat(adapter.fineTuner()).isEqualTo(submitter.address());
    assertThat(adapter.baseModel()).isEqualTo(model);
    assertThat(adapter.datanet()).isEqualTo(datanet);
    assertThat(adapter.adapterHash()).isEqualTo(done.result().orElseThrow().adapterHash());
    assertThat(chain.ledger().system().jobs().escrow()).isZero();
    assertThat(chain.ledger().system().jobs().deadlines()).isEmpty();
    for (Address bound : job.boundAccounts()) {
      assertThat(chain.ledger().capability(bound).orElseThrow().openJobs()).isZero();
      assertThat(chain.bond(bound)).isEqualTo(BOND);
    }
    chain.assertSupplyInvariant();
  }

  @Test
  void aQuorumOfRejectsSlashesTheExecutorAndRefundsTheSubmitterAtOnce() {
    TuningJob job = submit();
    post(job);
    BigInteger before = balance(submitter);
    BigInteger burned = chain.ledger().system().burned();
    assertThat(reject(verifier(job, 0), job)).isEmpty();
    assertThat(reject(verifier(job, 1), job)).isEmpty();

    TuningJob done = now(job);
    assertThat(done.status()).isEqualTo(TuningJob.Status.REJECTED);
    BigInteger slash = BOND.divide(BigInteger.TWO);
    assertThat(done.settlement().orElseThrow().slashed())
        .containsExactly(Map.entry(job.executor(), slash));
    assertThat(done.settlement().orElseThrow().refunded()).isEqualTo(ESCROW);
    assertThat(done.settlement().orElseThrow().credits()).isEmpty();
    assertThat(chain.bond(job.executor())).isEqualTo(BOND.subtract(slash));
    assertThat(balance(submitter)).isEqualTo(before.add(ESCROW));
    // Burned, not paid to the rejecting verifiers: the fee split of the attest txs is 20% burn.
    assertThat(chain.ledger().system().burned().subtract(burned).subtract(slash))
        .isEqualTo(share(FEE.multiply(BigInteger.TWO), 2_000));
    assertThat(chain.ledger().adapter(Adapter.idOf(job.id()))).isEmpty();
    chain.assertSupplyInvariant();
  }

  @Test
  void aRejectQuorumWithAnAcceptAmongTheVerifiersGoesToTheCapableStakeAndTheAccepterPays() {
    reopen("three-verifiers", 3);
    TuningJob job = submit();
    assertThat(job.verifiers()).hasSize(3);
    post(job);
    BigInteger before = balance(submitter);
    assertThat(accept(verifier(job, 0), job)).isEmpty();
    assertThat(reject(verifier(job, 1), job)).isEmpty();
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.POSTED);
    assertThat(reject(verifier(job, 2), job)).isEmpty();
    TuningJob disputed = now(job);
    assertThat(disputed.status()).isEqualTo(TuningJob.Status.DISPUTED);
    assertThat(disputed.dispute().orElseThrow().challenger()).isEmpty();
    assertThat(disputed.dispute().orElseThrow().votes()).hasSize(3);

    // Six may vote (everyone but the executor); two rejects of the outsiders make four of six.
    List<PrivateKey> others = outsiders(job);
    assertThat(reject(others.get(0), job)).isEmpty();
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.DISPUTED);
    assertThat(reject(others.get(1), job)).isEmpty();

    TuningJob done = now(job);
    assertThat(done.status()).isEqualTo(TuningJob.Status.REJECTED);
    BigInteger fraud = BOND.divide(BigInteger.TWO);
    assertThat(done.settlement().orElseThrow().slashed())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(job.executor(), fraud, job.verifiers().get(0), fraud));
    assertThat(chain.bond(job.verifiers().get(1))).isEqualTo(BOND);
    assertThat(chain.bond(job.verifiers().get(2))).isEqualTo(BOND);
    assertThat(done.settlement().orElseThrow().refunded()).isEqualTo(ESCROW);
    assertThat(balance(submitter)).isEqualTo(before.add(ESCROW));
    chain.assertSupplyInvariant();
  }

  @Test
  void aChainAskingNoVerifiersAcceptsAResultWhenPostedAndPaysItAfterTheChallengeWindow() {
    reopen("no-verifiers", 0);
    TuningJob job = submit();
    assertThat(job.verifiers()).isEmpty();
    post(job);
    TuningJob accepted = now(job);
    assertThat(accepted.status()).isEqualTo(TuningJob.Status.ACCEPTED);
    assertThat(accepted.acceptedHeight()).isEqualTo(accepted.result().orElseThrow().height());

    chain.advanceTo(accepted.acceptedHeight() + WINDOW);
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.ACCEPTED);
    BigInteger burnedBefore = chain.ledger().system().burned();
    chain.commit();

    TuningJob done = now(job);
    assertThat(done.status()).isEqualTo(TuningJob.Status.FINAL);
    assertThat(chain.ledger().adapter(Adapter.idOf(job.id()))).isPresent();
    JobSettlement settlement = done.settlement().orElseThrow();
    assertThat(settlement.shares())
        .contains(new WorkShare(job.executor(), WorkRole.EXECUTOR, share(ESCROW, 1_500)))
        .noneMatch(s -> s.role() == WorkRole.VERIFIER);
    // With nobody to pay, the verifiers' 10% is burned with the fine-tuner's 15% and the burn.
    assertThat(chain.ledger().system().burned().subtract(burnedBefore))
        .isGreaterThanOrEqualTo(share(ESCROW, 3_500));
    chain.assertSupplyInvariant();
  }

  @Test
  void aMissedDeadlineRefundsTheSubmitterAndSlashesTheExecutorThatNeverPosted() {
    TuningJob job = submit();
    BigInteger before = balance(submitter);
    chain.advanceTo(job.spec().deadline());
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.ASSIGNED);
    chain.commit();

    TuningJob done = now(job);
    assertThat(done.status()).isEqualTo(TuningJob.Status.EXPIRED);
    BigInteger slash = share(BOND, 1_000);
    assertThat(done.settlement().orElseThrow().slashed())
        .containsExactly(Map.entry(job.executor(), slash));
    assertThat(balance(submitter)).isEqualTo(before.add(ESCROW));
    for (Address v : job.verifiers()) {
      assertThat(chain.bond(v)).isEqualTo(BOND);
    }
    chain.assertSupplyInvariant();
  }

  @Test
  void aPostedResultWithoutQuorumExpiresWithoutSlashingTheExecutorButTheSilentVerifierPays() {
    TuningJob job = submit();
    post(job);
    assertThat(accept(verifier(job, 0), job)).isEmpty();
    BigInteger before = balance(submitter);
    chain.advanceTo(job.spec().deadline() + WINDOW);
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.POSTED);
    chain.commit();

    TuningJob done = now(job);
    assertThat(done.status()).isEqualTo(TuningJob.Status.EXPIRED);
    assertThat(done.settlement().orElseThrow().slashed())
        .containsExactly(Map.entry(job.verifiers().get(1), share(BOND, 1_000)));
    assertThat(chain.bond(job.executor())).isEqualTo(BOND);
    assertThat(chain.bond(job.verifiers().get(0))).isEqualTo(BOND);
    assertThat(balance(submitter)).isEqualTo(before.add(ESCROW));
    chain.assertSupplyInvariant();
  }

  // ---- disputes ------------------------------------------------------------------------------

  @Test
  void splitVerifiersOpenADisputeThatTheCapableValidatorsDecideAndLosersPay() {
    TuningJob job = submit();
    post(job);
    assertThat(accept(verifier(job, 0), job)).isEmpty();
    assertThat(reject(verifier(job, 1), job)).isEmpty();
    chain.advanceTo(job.spec().deadline() + WINDOW + 1);
    TuningJob disputed = now(job);
    assertThat(disputed.status()).isEqualTo(TuningJob.Status.DISPUTED);
    assertThat(disputed.dispute().orElseThrow().challenger()).isEmpty();
    assertThat(disputed.dispute().orElseThrow().votes()).hasSize(2);

    // Six may vote (everyone but the executor): the result is false, and four rejecting stakes
    // of six are a majority of all, which decides at once.
    List<PrivateKey> others = outsiders(job);
    assertThat(reject(others.get(0), job)).isEmpty();
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.DISPUTED);
    assertThat(reject(others.get(1), job)).isEmpty();
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.DISPUTED);
    assertThat(reject(others.get(2), job)).isEmpty();

    TuningJob done = now(job);
    assertThat(done.status()).isEqualTo(TuningJob.Status.REJECTED);
    BigInteger fraud = BOND.divide(BigInteger.TWO);
    assertThat(done.settlement().orElseThrow().slashed())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(job.executor(), fraud, job.verifiers().get(0), fraud));
    assertThat(done.settlement().orElseThrow().refunded()).isEqualTo(ESCROW);
    assertThat(chain.bond(job.verifiers().get(1))).isEqualTo(BOND);
    for (PrivateKey v : chain.validators()) {
      assertThat(chain.ledger().capability(v.address()).orElseThrow().openJobs()).isZero();
    }
    assertThat(chain.ledger().system().jobs().deadlines()).isEmpty();
    chain.assertSupplyInvariant();
  }

  @Test
  void aChallengeOverturnsAColludingQuorumAndSlashesEveryoneWhoAcceptedTheFake() {
    TuningJob job = submit();
    post(job);
    assertThat(accept(verifier(job, 0), job)).isEmpty();
    assertThat(accept(verifier(job, 1), job)).isEmpty();
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.ACCEPTED);

    List<PrivateKey> others = outsiders(job);
    assertThat(challenge(others.get(0), job)).isEmpty();
    TuningJob disputed = now(job);
    assertThat(disputed.status()).isEqualTo(TuningJob.Status.DISPUTED);
    assertThat(disputed.dispute().orElseThrow().challenger()).contains(others.get(0).address());
    // Two more of the others vote; the last does not. Three rejecting stakes of six decide
    // nothing at once, but at the dispute's end they outweigh the two accepting ones.
    assertThat(reject(others.get(1), job)).isEmpty();
    assertThat(reject(others.get(2), job)).isEmpty();
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.DISPUTED);
    chain.advanceTo(disputed.dispute().orElseThrow().height() + WINDOW + 1);

    TuningJob done = now(job);
    assertThat(done.status()).isEqualTo(TuningJob.Status.REJECTED);
    BigInteger fraud = BOND.divide(BigInteger.TWO);
    assertThat(done.settlement().orElseThrow().slashed())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                job.executor(),
                fraud,
                job.verifiers().get(0),
                fraud,
                job.verifiers().get(1),
                fraud));
    assertThat(done.settlement().orElseThrow().credits()).isEmpty();
    assertThat(chain.ledger().adapter(Adapter.idOf(job.id()))).isEmpty();
    assertThat(chain.bond(others.get(0).address())).isEqualTo(BOND);
    chain.assertSupplyInvariant();
  }

  @Test
  void aFalseChallengeCostsTheChallengerAndTheJobStillPays() {
    TuningJob job = submit();
    post(job);
    assertThat(accept(verifier(job, 0), job)).isEmpty();
    assertThat(accept(verifier(job, 1), job)).isEmpty();
    List<PrivateKey> others = outsiders(job);
    assertThat(challenge(others.get(0), job)).isEmpty();
    // Two more accepting stakes make four of six: the result stands at once.
    assertThat(accept(others.get(1), job)).isEmpty();
    assertThat(accept(others.get(2), job)).isEmpty();

    TuningJob done = now(job);
    assertThat(done.status()).isEqualTo(TuningJob.Status.FINAL);
    assertThat(done.settlement().orElseThrow().slashed())
        .containsExactly(Map.entry(others.get(0).address(), BOND.divide(BigInteger.TWO)));
    assertThat(done.settlement().orElseThrow().credits())
        .containsKeys(job.executor(), job.verifiers().get(0));
    // Defending a result earns nothing: only the assigned verifiers share the verifier fee.
    assertThat(done.settlement().orElseThrow().credits().get(others.get(1).address()))
        .isEqualTo(share(ESCROW, 1_000).divide(BigInteger.valueOf(7)));
    assertThat(chain.ledger().adapter(Adapter.idOf(job.id()))).isPresent();
    chain.assertSupplyInvariant();
  }

  // ---- capability ----------------------------------------------------------------------------

  @Test
  void undeclareStopsNewJobsAtOnceAndReturnsTheBondOnceItsJobsAreOver() {
    TuningJob job = submit();
    PrivateKey executor = executor(job);
    BigInteger before = balance(executor);
    chain.ok(executor, n -> TxBodies.undeclareCapability(CHAIN_ID, n, FEE));
    assertThat(chain.ledger().capability(executor.address()).orElseThrow().status())
        .isEqualTo(Capability.Status.RETIRING);
    for (TuningJob other :
        chain.submitMany(submitter, model, datanet, OPEN, chain.height() + 30, 20)) {
      assertThat(other.boundAccounts()).doesNotContain(executor.address());
    }
    assertThat(chain.run(executor, n -> TxBodies.undeclareCapability(CHAIN_ID, n, FEE)).error())
        .isEqualTo(
            executor.address()
                + " still takes part in 1 open tuning job(s); undeclare again once they are over to"
                + " take the bond back");

    post(job);
    assertThat(accept(verifier(job, 0), job)).isEmpty();
    assertThat(accept(verifier(job, 1), job)).isEmpty();
    chain.advanceTo(now(job).acceptedHeight() + WINDOW + 1);
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.FINAL);
    chain.ok(executor, n -> TxBodies.undeclareCapability(CHAIN_ID, n, FEE));

    Capability gone = chain.ledger().capability(executor.address()).orElseThrow();
    assertThat(gone.status()).isEqualTo(Capability.Status.WITHDRAWN);
    assertThat(gone.bond()).isZero();
    // Four fees (three undeclares and the post) and nothing else; the bond is back.
    assertThat(balance(executor))
        .isEqualTo(before.add(BOND).subtract(FEE.multiply(BigInteger.valueOf(4))));
    chain.assertSupplyInvariant();
  }

  @Test
  void aSlashedCapabilityTakesNoJobsUntilItsBondIsToppedUp() {
    TuningJob job = submit();
    post(job);
    reject(verifier(job, 0), job);
    reject(verifier(job, 1), job);
    PrivateKey executor = executor(job);
    for (TuningJob other :
        chain.submitMany(submitter, model, datanet, OPEN, chain.height() + 30, 20)) {
      assertThat(other.boundAccounts()).doesNotContain(executor.address());
    }
    BigInteger before = balance(executor);
    chain.ok(executor, n -> TxBodies.declareCapability(CHAIN_ID, n, FEE));
    assertThat(chain.bond(executor.address())).isEqualTo(BOND);
    assertThat(balance(executor))
        .isEqualTo(before.subtract(BOND.divide(BigInteger.TWO)).subtract(FEE));
    chain.assertSupplyInvariant();
  }

  // ---- persistence ---------------------------------------------------------------------------

  @Test
  void jobsAndTheirDeadlinesSurviveARestartUnderTheSameRoot() {
    TuningJob job = submit();
    post(job);
    Hash root = Hash.copyOf(chain.ledger().headHeader().getStateRoot().toByteArray());
    TuningJob stored = now(job);
    chain.reopen();

    assertThat(Hash.copyOf(chain.ledger().headHeader().getStateRoot().toByteArray()))
        .isEqualTo(root);
    assertThat(now(job)).isEqualTo(stored);
    assertThat(accept(verifier(job, 0), job)).isEmpty();
    assertThat(accept(verifier(job, 1), job)).isEmpty();
    chain.advanceTo(now(job).acceptedHeight() + WINDOW + 1);
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.FINAL);
    TuningJob done = now(job);
    chain.reopen();
    assertThat(now(job)).isEqualTo(done);
    assertThat(chain.ledger().adapter(Adapter.idOf(job.id()))).isPresent();
    chain.assertSupplyInvariant();
  }

  // ---- bad input: each refused with its reason, the sender losing only its fee --------------

  /**
   * Runs {@code body} as {@code key}, expects {@code message}, and checks that nothing moved but
   * the fee: the sender's balance, the bonds and escrow held, the open jobs' deadlines, the
   * sender's capability and the given jobs are as before.
   */
  void assertRefused(PrivateKey key, LongFunction<TxBody> body, String message, TuningJob... jobs) {
    BigInteger balance = balance(key);
    var system = chain.ledger().system();
    Optional<Capability> capability = chain.ledger().capability(key.address());
    List<TuningJob> before = Arrays.stream(jobs).map(this::now).toList();
    assertThat(chain.run(key, body).error()).isEqualTo(message);
    assertThat(balance(key)).isEqualTo(balance.subtract(FEE));
    assertThat(chain.ledger().system().bonded()).isEqualTo(system.bonded());
    assertThat(chain.ledger().system().jobs()).isEqualTo(system.jobs());
    assertThat(chain.ledger().capability(key.address())).isEqualTo(capability);
    assertThat(Arrays.stream(jobs).map(this::now).toList()).isEqualTo(before);
    chain.assertSupplyInvariant();
  }

  LongFunction<TxBody> postBody(TuningJob job, Map<Hash, Long> influence) {
    Hash adapter = Keccak.hash(job.id().toArray());
    return n ->
        TxBodies.postTuningResult(CHAIN_ID, n, FEE, job.id(), adapter, 1, FIGURES, influence);
  }

  @Test
  void aJobForAnUnknownModelOrDatanetIsRefused() {
    Hash unknown = Keccak.hash(new byte[] {42});
    long deadline = chain.height() + 10;
    assertRefused(
        submitter,
        JobChain.job(unknown, datanet, ESCROW, deadline, 1),
        "unknown base model " + unknown + ": register it first");
    assertRefused(
        submitter, JobChain.job(model, unknown, ESCROW, deadline, 1), "unknown datanet " + unknown);
  }

  @Test
  void aFeeEscrowBelowTheMinimumIsRefused() {
    assertRefused(
        submitter,
        JobChain.job(model, datanet, OPEN.subtract(BigInteger.ONE), chain.height() + 10, 1),
        "fee escrow 0.999999999999999999 OPEN is below the minimum job fee 1 OPEN");
  }

  @Test
  void aDeadlineTooFarOrNotInTheFutureIsRefused() {
    long at = chain.height() + 1;
    String rule =
        " must be after the current height "
            + at
            + " and at most 50 blocks ahead (at most "
            + (at + 50)
            + ")";
    assertRefused(
        submitter,
        JobChain.job(model, datanet, ESCROW, at + 51, 1),
        "deadline " + (at + 51) + rule);
    at++;
    rule =
        " must be after the current height "
            + at
            + " and at most 50 blocks ahead (at most "
            + (at + 50)
            + ")";
    assertRefused(submitter, JobChain.job(model, datanet, ESCROW, at, 1), "deadline " + at + rule);
    at++;
    rule =
        " must be after the current height "
            + at
            + " and at most 50 blocks ahead (at most "
            + (at + 50)
            + ")";
    assertRefused(
        submitter, JobChain.job(model, datanet, ESCROW, at - 2, 1), "deadline " + (at - 2) + rule);
  }

  @Test
  void badHyperparametersAreRefusedNamingTheField() {
    long deadline = chain.height() + 10;
    assertRefused(
        submitter,
        JobChain.job(
            model,
            datanet,
            TuningMethod.TUNING_METHOD_LORA,
            TxBodies.hyperparameters(0, 16, 200_000, 2, 4),
            2_000,
            ESCROW,
            deadline,
            1),
        "LoRA rank must be in [1, 4096], got 0");
    assertRefused(
        submitter,
        JobChain.job(
            model,
            datanet,
            TuningMethod.TUNING_METHOD_UNSPECIFIED,
            TxBodies.hyperparameters(8, 16, 200_000, 2, 4),
            2_000,
            ESCROW,
            deadline,
            1),
        "tuning method must be one of LORA, QLORA_NF4, PTUNING, FULL");
    assertRefused(
        submitter,
        JobChain.job(
            model,
            datanet,
            TuningMethod.TUNING_METHOD_FULL,
            TxBodies.hyperparameters(0, 0, 200_000, 2, 4),
            6_000,
            ESCROW,
            deadline,
            1),
        "evaluation split (basis points) must be in [1, 5000], got 6000");
  }

  @Test
  void tooFewCapableValidatorsRefuseTheJobWithoutTakingTheEscrow() {
    List<SignedTransaction> undeclares = new ArrayList<>();
    for (PrivateKey v : chain.validators().subList(0, 5)) {
      undeclares.add(chain.sign(v, n -> TxBodies.undeclareCapability(CHAIN_ID, n, FEE)));
    }
    chain.commit(undeclares);
    assertRefused(
        submitter,
        JobChain.job(model, datanet, ESCROW, chain.height() + 10, 1),
        "only 2 validator(s) besides the submitter have declared the inference capability with a"
            + " full bond; a job needs 3 (1 executor and 2 verifiers): try again when more have"
            + " declared");
  }

  @Test
  void aResultFromAnyoneButTheAssignedExecutorIsRefused() {
    TuningJob job = submit();
    assertRefused(
        verifier(job, 0),
        postBody(job, influence(job)),
        "only job " + job.id() + "'s executor " + job.executor() + " may post its result",
        job);
  }

  @Test
  void aSecondResultIsRefused() {
    TuningJob job = submit();
    post(job);
    assertRefused(
        executor(job),
        postBody(job, Map.of()),
        "job " + job.id() + "'s result is already posted",
        job);
  }

  @Test
  void aResultAfterTheDeadlineIsRefused() {
    TuningJob job = submit();
    chain.advanceTo(job.spec().deadline() + 1);
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.EXPIRED);
    assertRefused(
        executor(job),
        postBody(job, influence(job)),
        "job "
            + job.id()
            + "'s deadline "
            + job.spec().deadline()
            + " has passed (now "
            + (job.spec().deadline() + 2)
            + ")",
        job);
  }

  @Test
  void scoresMustBeForContributionsTheJobTrainedOn() {
    Hash otherDatanet = chain.createDatanet(chain.users().get(1));
    Hash outside = chain.contribute(chain.users().get(1), otherDatanet, 1).get(0);
    TuningJob job = submit();
    Hash late = chain.contribute(chain.users().get(2), datanet, 1).get(0);
    Hash heldOut =
        scores.keySet().stream()
            .filter(id -> EvalSplit.heldOut(job.spec().seed(), job.spec().evalBps(), id))
            .findFirst()
            .orElseThrow();
    Hash unknown = Keccak.hash(new byte[] {7});
    PrivateKey executor = executor(job);

    assertRefused(
        executor,
        postBody(job, Map.of(outside, 1L)),
        "contribution "
            + outside
            + " belongs to datanet "
            + otherDatanet
            + ", not the job's datanet "
            + datanet,
        job);
    assertRefused(
        executor,
        postBody(job, Map.of(late, 1L)),
        "contribution "
            + late
            + " was added at height "
            + (job.submittedHeight() + 1)
            + ", after the job was submitted at "
            + job.submittedHeight(),
        job);
    assertRefused(
        executor,
        postBody(job, Map.of(heldOut, 1L)),
        "contribution " + heldOut + " is held out for evaluation: the job does not train on it",
        job);
    assertRefused(
        executor, postBody(job, Map.of(unknown, 1L)), "unknown contribution " + unknown, job);
  }

  @Test
  void anAttestationAfterTheWindowIsRefused() {
    TuningJob job = submit();
    post(job);
    chain.advanceTo(job.spec().deadline() + WINDOW + 1);
    assertThat(now(job).status()).isEqualTo(TuningJob.Status.EXPIRED);
    assertRefused(
        verifier(job, 0),
        n -> TxBodies.accept(CHAIN_ID, n, FEE, job.id()),
        "job "
            + job.id()
            + "'s attestation window closed at height "
            + (job.spec().deadline() + WINDOW),
        job);
  }

  @Test
  void anAttestationByANonVerifierIsRefused() {
    TuningJob job = submit();
    post(job);
    PrivateKey outsider = outsiders(job).get(0);
    assertRefused(
        outsider,
        n -> TxBodies.accept(CHAIN_ID, n, FEE, job.id()),
        outsider.address()
            + " is not a verifier of job "
            + job.id()
            + " (its verifiers are "
            + job.verifiers()
            + ")",
        job);
    assertRefused(
        executor(job),
        n -> TxBodies.accept(CHAIN_ID, n, FEE, job.id()),
        job.executor()
            + " is not a verifier of job "
            + job.id()
            + " (its verifiers are "
            + job.verifiers()
            + ")",
        job);
  }

  @Test
  void aSecondAttestationIsRefused() {
    TuningJob job = submit();
    post(job);
    assertThat(accept(verifier(job, 0), job)).isEmpty();
    assertRefused(
        verifier(job, 0),
        n -> TxBodies.reject(CHAIN_ID, n, FEE, job.id(), FIGURES),
        job.verifiers().get(0) + " has already attested job " + job.id(),
        job);
  }

  @Test
  void attestationsMustSayWhatTheyRecomputedAndChallengesNeedAnAcceptedResult() {
    TuningJob job = submit();
    assertRefused(
        verifier(job, 0),
        n -> TxBodies.accept(CHAIN_ID, n, FEE, job.id()),
        "job " + job.id() + " has no result to attest yet",
        job);
    post(job);
    assertRefused(
        verifier(job, 0),
        n ->
            TxBodies.reject(CHAIN_ID, n, FEE, job.id(), FIGURES).toBuilder()
                .setAttest(
                    TxBodies.reject(CHAIN_ID, n, FEE, job.id(), FIGURES).getAttest().toBuilder()
                        .clearRecomputed())
                .build(),
        "a rejection must carry the recomputed evaluation figures",
        job);
    assertRefused(
        outsiders(job).get(0),
        n -> TxBodies.challenge(CHAIN_ID, n, FEE, job.id(), FIGURES),
        "only a result a quorum accepted can be challenged; job " + job.id() + " is POSTED",
        job);
    accept(verifier(job, 0), job);
    accept(verifier(job, 1), job);
    assertRefused(
        executor(job),
        n -> TxBodies.challenge(CHAIN_ID, n, FEE, job.id(), FIGURES),
        job.executor()
            + " is a party to job "
            + job.id()
            + " (its executor or submitter) and cannot vote on it",
        job);
    assertRefused(
        verifier(job, 1),
        n -> TxBodies.challenge(CHAIN_ID, n, FEE, job.id(), FIGURES),
        job.verifiers().get(1) + " accepted job " + job.id() + "'s result; it cannot challenge it",
        job);
  }

  @Test
  void aDeclareByANonValidatorIsRefused() {
    PrivateKey user = chain.users().get(1);
    assertRefused(
        user,
        n -> TxBodies.declareCapability(CHAIN_ID, n, FEE),
        "only validators may declare the inference capability: "
            + user.address()
            + " is not in the validator set (stake at least the minimum validator stake first)");
    PrivateKey validator = chain.validators().get(0);
    assertRefused(
        validator,
        n -> TxBodies.declareCapability(CHAIN_ID, n, FEE),
        validator.address() + " has already declared the inference capability with a full bond");
  }

  @Test
  void aDeclareWithoutTheBondIsRefused() {
    PrivateKey validator = chain.validators().get(0);
    chain.ok(validator, n -> TxBodies.undeclareCapability(CHAIN_ID, n, FEE));
    BigInteger keep = OPEN.multiply(BigInteger.TEN).add(FEE);
    BigInteger away = balance(validator).subtract(FEE).subtract(keep);
    chain.ok(
        validator, n -> TxBodies.transfer(CHAIN_ID, n, FEE, chain.users().get(1).address(), away));
    assertRefused(
        validator,
        n -> TxBodies.declareCapability(CHAIN_ID, n, FEE),
        "declaring the inference capability bonds 1000 OPEN, more than the balance 10 OPEN left"
            + " after the fee");
    assertRefused(
        chain.users().get(1),
        n -> TxBodies.undeclareCapability(CHAIN_ID, n, FEE),
        chain.users().get(1).address() + " has not declared the inference capability");
  }
}
