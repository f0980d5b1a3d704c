package io.ascribe.ledger.attacks;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.EvalMetrics;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.JobChain;
import io.ascribe.ledger.ai.Attestation.Verdict;
import io.ascribe.ledger.ai.Capability;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.TuningResult;
import io.ascribe.ledger.exec.ExecutedBlock;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A seeded market of tuning jobs on a real chain (blocks through the {@link
 * io.ascribe.ledger.Ledger} on RocksDB): validators of equal stake that declared the inference
 * capability, submitters that post jobs two a block and resubmit any that were refunded, honest
 * data contributors whose contributions each have a true influence, and two attacker-held
 * contributor accounts whose true influence is nil. Every block, each validator acts on the open
 * jobs that concern it as its {@link Role} says; the run ends when every job has been paid for. The
 * simulation knows each job's true result (what an honest re-execution finds), which is how honest
 * verifiers check.
 */
final class TuningJobMarket implements AutoCloseable {
  static final long WINDOW = 5;
  static final int SUBMITTERS = 3;
  static final int HONEST_CONTRIBUTORS = 6;
  static final int SYBILS = 2;
  static final int PER_CONTRIBUTOR = 5;

  /** How a validator plays. */
  enum Role {
    /** Posts the true result, attests and votes by the truth, challenges false accepted results. */
    HONEST,
    /**
     * Posts made-up results (adapter hash, metrics, influence to its own contributors) every time,
     * tops its bond up after each slash to keep going; verifies honestly.
     */
    FAKE_EXECUTOR,
    /**
     * Accepts every result it verifies or votes on without checking; executes honestly. Tops its
     * bond up after any slash.
     */
    RUBBER_STAMP,
    /**
     * One of a ring: fakes as executor when ring members hold a quorum of its verifiers, and
     * accepts the ring's fakes as verifier and voter; otherwise honest. Tops its bond up after each
     * slash.
     */
    COLLUDER
  }

  /**
   * @param validators how many validators, all of equal stake
   * @param verifiers verifiers per job
   * @param roles validator index to role (the rest are honest)
   * @param jobs job requests to see through
   */
  record Setup(int validators, int verifiers, Map<Integer, Role> roles, int jobs, long seed) {}

  /**
   * What a run ended with, per account: value gained (balance, stake, bonds and rewards) and
   * rewards earned, since the jobs began.
   */
  record Run(
      Map<Address, BigInteger> net,
      Map<Address, BigInteger> earned,
      BigInteger honestContributorRewards,
      List<TuningJob> fakeJobs,
      List<Address> attackers,
      int jobsFinal) {

    BigInteger net(Collection<Address> accounts) {
      return sum(net, accounts);
    }

    BigInteger earned(Collection<Address> accounts) {
      return sum(earned, accounts);
    }

    private static BigInteger sum(Map<Address, BigInteger> values, Collection<Address> accounts) {
      return accounts.stream()
          .map(a -> values.getOrDefault(a, BigInteger.ZERO))
          .reduce(BigInteger.ZERO, BigInteger::add);
    }
  }

  /** A job someone wants done, resubmitted with a new seed until it is paid for. */
  private record Request(PrivateKey submitter, BigInteger fee, long span) {}

  private final Setup setup;
  private final JobChain chain;
  private final Random random;
  private final Map<Address, Role> roles = new HashMap<>();
  private final Map<Hash, Long> quality = new LinkedHashMap<>();
  private final Map<Hash, Address> contributorOf = new HashMap<>();
  private final Set<Address> honestContributors = new HashSet<>();
  private final List<Address> sybils = new ArrayList<>();
  private final Deque<Request> queue = new ArrayDeque<>();
  private final Map<Hash, Request> requestOf = new HashMap<>();
  private final Set<Hash> open = new TreeSet<>();
  private final Set<Hash> fakes = new TreeSet<>();
  private final Hash model;
  private final Hash datanet;
  private long seeds;

  private TuningJobMarket(Path dir, Setup setup, boolean attack) {
    this.setup = setup;
    this.random = new Random(setup.seed());
    this.chain =
        new JobChain(
            dir,
            Collections.nCopies(setup.validators(), JobChain.MIN_STAKE),
            SUBMITTERS + HONEST_CONTRIBUTORS + SYBILS,
            JobChain.jobs(setup.verifiers(), 50, WINDOW));
    for (int i = 0; i < setup.validators(); i++) {
      Role role = attack ? setup.roles().getOrDefault(i, Role.HONEST) : Role.HONEST;
      roles.put(chain.validators().get(i).address(), role);
    }
    chain.declareAll();
    List<PrivateKey> users = chain.users();
    model = chain.registerModel(users.get(0));
    datanet = chain.createDatanet(users.get(0));
    for (int i = 0; i < HONEST_CONTRIBUTORS + SYBILS; i++) {
      PrivateKey contributor = users.get(SUBMITTERS + i);
      boolean sybil = i >= HONEST_CONTRIBUTORS;
      (sybil ? sybils : honestContributors).add(contributor.address());
      for (Hash id : chain.contribute(contributor, datanet, PER_CONTRIBUTOR)) {
        // Honest data mostly helps, sometimes hurts; the attacker's is noise.
        quality.put(id, sybil ? 0 : (long) (random.nextDouble() * 1.2e9 - 0.2e9));
        contributorOf.put(id, contributor.address());
      }
    }
    for (int i = 0; i < setup.jobs(); i++) {
      PrivateKey submitter = users.get(i % SUBMITTERS);
      BigInteger fee = JobChain.OPEN.multiply(BigInteger.valueOf(10 + random.nextInt(91)));
      queue.add(new Request(submitter, fee, 6 + random.nextInt(7)));
    }
  }

  /** Runs the market with the setup's attackers ({@code attack}) or with everyone honest. */
  static Run run(Path dir, Setup setup, boolean attack) {
    try (TuningJobMarket market = new TuningJobMarket(dir, setup, attack)) {
      return market.simulate();
    }
  }

  /** The attackers' accounts: the validators with a role and the attacker's contributors. */
  List<Address> attackers() {
    List<Address> out = new ArrayList<>();
    setup.roles().keySet().stream()
        .sorted()
        .forEach(i -> out.add(chain.validators().get(i).address()));
    out.addAll(sybils);
    return out;
  }

  private Run simulate() {
    Map<Address, BigInteger> startValue = new HashMap<>();
    Map<Address, BigInteger> startRewards = new HashMap<>();
    for (Address a : accounts()) {
      startValue.put(a, value(a));
      startRewards.put(a, chain.ledger().rewards(a));
    }
    int guard = setup.jobs() * 4 + 500;
    int finals = 0;
    while (!queue.isEmpty() || !open.isEmpty()) {
      if (--guard < 0) {
        throw new AssertionError("the market did not settle: " + open.size() + " jobs open");
      }
      List<SignedTransaction> txs = new ArrayList<>();
      Map<Hash, Request> submitted = new LinkedHashMap<>();
      for (int i = 0; i < 2 && !queue.isEmpty(); i++) {
        Request r = queue.poll();
        submitted.put(chain.nextJobId(r.submitter()), r);
        txs.add(
            chain.sign(
                r.submitter(),
                JobChain.job(model, datanet, r.fee(), chain.height() + 1 + r.span(), seeds++)));
      }
      for (Hash id : open) {
        act(chain.job(id), txs);
      }
      topUp(txs);
      ExecutedBlock block = chain.commit(txs);
      block
          .receipts()
          .forEach(
              r -> {
                if (!r.success()) {
                  throw new AssertionError("a simulated transaction failed: " + r.error());
                }
              });
      submitted.forEach(
          (id, r) -> {
            requestOf.put(id, r);
            open.add(id);
            chain.watch(id);
          });
      for (Hash id : List.copyOf(open)) {
        TuningJob job = chain.job(id);
        if (job.status() == TuningJob.Status.FINAL) {
          open.remove(id);
          finals++;
        } else if (job.status().isOver()) {
          open.remove(id);
          queue.add(requestOf.get(id));
        }
      }
    }
    chain.assertSupplyInvariant();
    Map<Address, BigInteger> net = new HashMap<>();
    Map<Address, BigInteger> earned = new HashMap<>();
    for (Address a : accounts()) {
      net.put(a, value(a).subtract(startValue.get(a)));
      earned.put(a, chain.ledger().rewards(a).subtract(startRewards.get(a)));
    }
    BigInteger honestRewards =
        honestContributors.stream()
            .map(a -> earned.get(a))
            .reduce(BigInteger.ZERO, BigInteger::add);
    return new Run(
        net, earned, honestRewards, fakes.stream().map(chain::job).toList(), attackers(), finals);
  }

  private List<Address> accounts() {
    List<Address> all = new ArrayList<>();
    chain.validators().forEach(k -> all.add(k.address()));
    chain.users().forEach(k -> all.add(k.address()));
    return all;
  }

  /** Everything an account holds: balance, stake, bonds (capability and data) and rewards. */
  private BigInteger value(Address a) {
    AccountState s = chain.ledger().account(a);
    BigInteger contributionBonds =
        contributorOf.entrySet().stream()
            .filter(e -> e.getValue().equals(a))
            .map(e -> chain.ledger().contribution(e.getKey()).orElseThrow())
            .filter(c -> c.status() == Contribution.Status.ACTIVE)
            .map(Contribution::bond)
            .reduce(BigInteger.ZERO, BigInteger::add);
    return s.balance()
        .add(s.stake())
        .add(s.unbonding())
        .add(chain.bond(a))
        .add(contributionBonds)
        .add(chain.ledger().rewards(a));
  }

  // ---- what each validator does with an open job ---------------------------------------------

  private void act(TuningJob job, List<SignedTransaction> txs) {
    switch (job.status()) {
      case ASSIGNED -> post(job, txs);
      case POSTED -> attest(job, txs);
      case ACCEPTED -> challenge(job, txs);
      case DISPUTED -> vote(job, txs);
      case FINAL, REJECTED, EXPIRED -> {}
    }
  }

  private void post(TuningJob job, List<SignedTransaction> txs) {
    boolean fake = wantsToFake(job);
    if (fake) {
      fakes.add(job.id());
    }
    Map<Hash, Long> influence = fake ? fakeInfluence(job) : trueInfluence(job);
    Hash adapter = adapterHash(job, fake);
    EvalMetrics eval =
        fake
            ? TxBodies.evalMetrics(500_000_000L, 900_000_000L)
            : TxBodies.evalMetrics(1_300_000_000L, 410_000_000L);
    txs.add(
        chain.sign(
            key(job.executor()),
            n ->
                TxBodies.postTuningResult(
                    JobChain.CHAIN_ID,
                    n,
                    JobChain.FEE,
                    job.id(),
                    adapter,
                    900_000_000L,
                    eval,
                    influence)));
  }

  private boolean wantsToFake(TuningJob job) {
    return switch (roles.get(job.executor())) {
      case FAKE_EXECUTOR -> true;
      case COLLUDER ->
          job.verifiers().stream().filter(v -> roles.get(v) == Role.COLLUDER).count()
              >= job.quorum();
      case HONEST, RUBBER_STAMP -> false;
    };
  }

  /** Each trained-on contribution's true influence: what an honest re-execution finds. */
  private Map<Hash, Long> trueInfluence(TuningJob job) {
    return JobChain.trainedOn(job, quality);
  }

  /** Every point of influence to the attacker's own trained-on contributions. */
  private Map<Hash, Long> fakeInfluence(TuningJob job) {
    Map<Hash, Long> out = new TreeMap<>();
    trueInfluence(job).keySet().stream()
        .filter(id -> sybils.contains(contributorOf.get(id)))
        .forEach(id -> out.put(id, 1_000_000_000L));
    return out;
  }

  private static Hash adapterHash(TuningJob job, boolean fake) {
    return Keccak.hash(
        (fake ? "made up " : "trained ").getBytes(StandardCharsets.US_ASCII), job.id().toArray());
  }

  /** Whether the posted result is what an honest re-execution finds. */
  private boolean holds(TuningJob job) {
    TuningResult result = job.result().orElseThrow();
    return result.adapterHash().equals(adapterHash(job, false))
        && result.influence().equals(trueInfluence(job));
  }

  /** {@code verifier}'s verdict on {@code job}'s result, by its role. */
  private Verdict verdict(Address verifier, TuningJob job) {
    return switch (roles.get(verifier)) {
      case RUBBER_STAMP -> Verdict.ACCEPT;
      case COLLUDER ->
          roles.get(job.executor()) == Role.COLLUDER || holds(job)
              ? Verdict.ACCEPT
              : Verdict.REJECT;
      case HONEST, FAKE_EXECUTOR -> holds(job) ? Verdict.ACCEPT : Verdict.REJECT;
    };
  }

  /** The assigned verifiers attest in order until a quorum is sure (later ones would be late). */
  private void attest(TuningJob job, List<SignedTransaction> txs) {
    long accepts = job.count(Verdict.ACCEPT);
    long rejects = job.count(Verdict.REJECT);
    for (Address v : job.verifiers()) {
      if (accepts >= job.quorum() || rejects >= job.quorum()) {
        return;
      }
      if (job.attestationBy(v).isPresent()) {
        continue;
      }
      Verdict verdict = verdict(v, job);
      txs.add(attestation(v, job, verdict, false));
      if (verdict == Verdict.ACCEPT) {
        accepts++;
      } else {
        rejects++;
      }
    }
  }

  /** The first honest capable validator that can, challenges a false result a quorum accepted. */
  private void challenge(TuningJob job, List<SignedTransaction> txs) {
    if (holds(job)) {
      return;
    }
    for (PrivateKey v : chain.validators()) {
      Address a = v.address();
      boolean accepted =
          job.attestationBy(a).filter(x -> x.verdict() == Verdict.ACCEPT).isPresent();
      if (roles.get(a) == Role.HONEST && mayVote(a, job) && !accepted) {
        txs.add(attestation(a, job, Verdict.REJECT, true));
        return;
      }
    }
  }

  /** Capable validators vote in order until one side holds most of the stake that may vote. */
  private void vote(TuningJob job, List<SignedTransaction> txs) {
    TuningJob.Dispute dispute = job.dispute().orElseThrow();
    BigInteger eligible = BigInteger.ZERO;
    for (PrivateKey v : chain.validators()) {
      if (mayVote(v.address(), job)) {
        eligible = eligible.add(JobChain.MIN_STAKE);
      }
    }
    BigInteger accept = dispute.weight(Verdict.ACCEPT);
    BigInteger reject = dispute.weight(Verdict.REJECT);
    for (PrivateKey v : chain.validators()) {
      if (accept.shiftLeft(1).compareTo(eligible) > 0
          || reject.shiftLeft(1).compareTo(eligible) > 0) {
        return;
      }
      if (!mayVote(v.address(), job) || dispute.hasVoted(v.address())) {
        continue;
      }
      Verdict verdict = verdict(v.address(), job);
      txs.add(attestation(v.address(), job, verdict, false));
      if (verdict == Verdict.ACCEPT) {
        accept = accept.add(JobChain.MIN_STAKE);
      } else {
        reject = reject.add(JobChain.MIN_STAKE);
      }
    }
  }

  /** A capable validator with a whole bond that is not a party to the job. */
  private boolean mayVote(Address a, TuningJob job) {
    return !a.equals(job.executor())
        && !a.equals(job.submitter())
        && chain
            .ledger()
            .capability(a)
            .filter(c -> c.takesJobs(chain.params().executorBond()))
            .isPresent();
  }

  private SignedTransaction attestation(
      Address from, TuningJob job, Verdict verdict, boolean challenge) {
    EvalMetrics recomputed = TxBodies.evalMetrics(1_300_000_000L, 410_000_000L);
    return chain.sign(
        key(from),
        n -> {
          if (challenge) {
            return TxBodies.challenge(JobChain.CHAIN_ID, n, JobChain.FEE, job.id(), recomputed);
          }
          return verdict == Verdict.ACCEPT
              ? TxBodies.accept(JobChain.CHAIN_ID, n, JobChain.FEE, job.id())
              : TxBodies.reject(JobChain.CHAIN_ID, n, JobChain.FEE, job.id(), recomputed);
        });
  }

  /** Attackers bond again after each slash, to keep being drawn. */
  private void topUp(List<SignedTransaction> txs) {
    for (PrivateKey v : chain.validators()) {
      if (roles.get(v.address()) == Role.HONEST) {
        continue;
      }
      Capability c = chain.ledger().capability(v.address()).orElseThrow();
      if (c.status() == Capability.Status.ACTIVE
          && c.bond().compareTo(chain.params().executorBond()) < 0) {
        txs.add(chain.sign(v, n -> TxBodies.declareCapability(JobChain.CHAIN_ID, n, JobChain.FEE)));
      }
    }
  }

  private PrivateKey key(Address a) {
    return chain.keyOf(a);
  }

  /**
   * The table row of {@code accounts} playing {@code strategy} in {@code attack}, against the same
   * accounts in {@code honest}.
   */
  static AttackTable.Row row(
      String strategy, Run attack, Run honest, Collection<Address> accounts) {
    BigInteger net = attack.net(accounts);
    BigInteger earned = attack.earned(accounts);
    double loss =
        honest.honestContributorRewards().signum() == 0
            ? 0
            : 100.0
                * honest
                    .honestContributorRewards()
                    .subtract(attack.honestContributorRewards())
                    .doubleValue()
                / honest.honestContributorRewards().doubleValue();
    return new AttackTable.Row(
        strategy, earned.subtract(net), earned, net, net.subtract(honest.net(accounts)), loss);
  }

  @Override
  public void close() {
    chain.close();
  }
}
