package io.ascribe.ledger.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.InferenceReceipt;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.InferenceChain;
import io.ascribe.ledger.SeededTexts;
import io.ascribe.ledger.ai.AttributionScore;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.ReceiptChallenge;
import io.ascribe.ledger.ai.ReceiptRecord;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.TxReceipt;
import io.ascribe.ledger.state.ValidatorSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A seeded inference market on a real chain (blocks through the Ledger on RocksDB) for attack
 * simulations. Five validators: two honest executors, a verifier that re-executes every receipt and
 * challenges each one that disagrees, and the rest vote on challenges as their own re-execution
 * says. Eight honest contributors hold documents in one datanet; six honest users send paid
 * requests every round, each retrieving four documents, served by the executors in turn. An attack
 * adds identities, transactions and perhaps an executor of its own. The honest side draws from its
 * own random stream, so a run with an attack and the run without it see the same honest requests;
 * the attack draws from another.
 *
 * <p>Attribution is an oracle every party can recompute (as re-execution would): the retrieved
 * honest documents share the answer by a per-document quality and a per-request draw; spam
 * documents score noise within ±10 ppm, attribution ≈ 0.
 */
final class InferenceMarketSimulation implements AutoCloseable {
  /** Every strategy runs on the same seed, so the run without an attacker is computed once. */
  static final long SEED = 7;

  static final int ROUNDS = 40;
  static final long WINDOW = 4;
  static final BigInteger OPEN = InferenceChain.OPEN;
  static final BigInteger REQUEST_FEE = InferenceChain.REQUEST_FEE;

  private static final int CONTRIBUTORS = 8;
  private static final int DOCS_EACH = 4;
  private static final int USERS = 6;
  private static final int RETRIEVED = 4;
  private static final int NEAR_DUPLICATE_BPS = 7_000;
  private static final BigInteger LIMIT = OPEN.multiply(BigInteger.valueOf(1_000_000));
  private static final Map<Long, Outcome> BASELINES = new ConcurrentHashMap<>();

  /** A document in the datanet as the simulation knows it. */
  record Doc(Hash id, Address contributor, double quality, boolean spam) {}

  /** A request as its user sent it, with what retrieval returned for it. */
  record Request(
      Hash hash, PrivateKey user, List<Doc> retrieved, BigInteger fee, Optional<Hash> adapter) {}

  /** How an executor scores a request it served. */
  interface Scoring {
    Map<Hash, Long> scores(Request request);
  }

  /**
   * The attacker's spending and earnings (wei; its holdings excluding rewards went down by {@code
   * spent}, its rewards up by {@code earned}) and the honest contributors' total reward.
   */
  record Outcome(BigInteger spent, BigInteger earned, BigInteger honestRewards) {}

  private final long seed;
  private final InferenceChain chain;
  private final Random honest;
  private final Random attackRandom;
  private final SeededTexts texts;
  private final Optional<InferenceAttack> attack;
  private final List<PrivateKey> validators = keys(1, 5);
  private final List<PrivateKey> contributors = keys(100, CONTRIBUTORS);
  private final List<PrivateKey> users = keys(200, USERS);
  private final PrivateKey verifier = validators.get(2);
  private final PrivateKey fineTuner = key(300);
  private final List<Doc> honestDocs = new ArrayList<>();
  private final List<String> honestTexts = new ArrayList<>();
  private final List<Doc> spamDocs = new ArrayList<>();
  private final Map<Hash, Doc> docs = new HashMap<>();
  private final Map<Hash, Request> requests = new HashMap<>();
  private final Map<Address, Long> authNonces = new HashMap<>();
  private final Map<PrivateKey, Scoring> executors = new LinkedHashMap<>();
  private final List<Hash> postedLastRound = new ArrayList<>();
  private final List<Hash> challengedLastRound = new ArrayList<>();
  private Hash datanet;
  private Hash model;
  private Hash adapter;
  private long served;

  private InferenceMarketSimulation(Path dir, long seed, Optional<InferenceAttack> attack) {
    this.seed = seed;
    this.honest = new Random(seed);
    this.attackRandom = new Random(seed * 31 + 17);
    this.texts = new SeededTexts(seed);
    this.attack = attack;
    Map<PrivateKey, BigInteger> funded = new LinkedHashMap<>();
    Stream.concat(contributors.stream(), users.stream())
        .forEach(k -> funded.put(k, OPEN.multiply(BigInteger.valueOf(1_000))));
    funded.put(fineTuner, OPEN.multiply(BigInteger.TEN));
    attack.ifPresent(a -> funded.putAll(a.funding()));
    this.chain = new InferenceChain(dir, WINDOW, validators, funded);
    executors.put(validators.get(0), this::oracle);
    executors.put(validators.get(1), this::oracle);
  }

  /** Runs the market with {@code attack} in {@code dir} and returns the outcome. */
  private static Outcome run(Path dir, long seed, InferenceAttack attack) {
    try (InferenceMarketSimulation market =
        new InferenceMarketSimulation(dir, seed, Optional.of(attack))) {
      return market.run();
    }
  }

  /**
   * Runs the market with {@code attack} and without it (same seed, {@link #SEED}), prints the
   * strategy's table and returns it.
   */
  static AttackReport report(String strategy, Path dir, InferenceAttack attack) {
    Outcome with = run(dir, SEED, attack);
    Outcome without = baseline(SEED);
    AttackReport report =
        new AttackReport(
            strategy, with.spent(), with.earned(), with.honestRewards(), without.honestRewards());
    report.print();
    return report;
  }

  /** The same market without any attacker (computed once per seed). */
  private static Outcome baseline(long seed) {
    return BASELINES.computeIfAbsent(
        seed,
        s -> {
          Path dir;
          try {
            dir = Files.createTempDirectory("honest-market");
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          try (InferenceMarketSimulation market =
              new InferenceMarketSimulation(dir, s, Optional.empty())) {
            return market.run();
          } finally {
            delete(dir);
          }
        });
  }

  private Outcome run() {
    setUpHonestSide();
    // Measured before the attack's own setup, so what the setup costs counts as spent.
    BigInteger startOwned = attackerHoldings().subtract(attackerRewards());
    BigInteger startRewards = attackerRewards();
    attack.ifPresent(a -> a.setup(this));
    for (int round = 0; round < ROUNDS; round++) {
      List<SignedTransaction> txs = new ArrayList<>(checks());
      txs.addAll(honestBatches());
      if (attack.isPresent()) {
        txs.addAll(attack.get().onRound(this, round));
      }
      commitRound(txs);
    }
    // Let the last challenges be voted on, then every window close.
    for (int i = 0; i < 3; i++) {
      commitRound(checks());
    }
    chain.advanceTo(chain.height() + WINDOW + 2);
    assertThat(chain.ledger().system().held().total()).isZero();
    chain.assertSupplyInvariant();
    BigInteger earned = attackerRewards().subtract(startRewards);
    BigInteger spent = startOwned.subtract(attackerHoldings().subtract(attackerRewards()));
    BigInteger honestRewards =
        contributors.stream()
            .map(k -> chain.rewards(k.address()))
            .reduce(BigInteger.ZERO, BigInteger::add);
    return new Outcome(spent, earned, honestRewards);
  }

  // ---- the honest side -----------------------------------------------------------------------

  private void setUpHonestSide() {
    datanet = chain.createDatanet(contributors.get(0), NEAR_DUPLICATE_BPS);
    model = chain.registerModel(contributors.get(0));
    adapter = chain.tuneAdapter(fineTuner, model, datanet);
    List<SignedTransaction> txs = new ArrayList<>();
    for (PrivateKey contributor : contributors) {
      for (int i = 0; i < DOCS_EACH; i++) {
        String text = texts.text(120);
        SignedTransaction tx = chain.contribution(contributor, datanet, text);
        txs.add(tx);
        honestTexts.add(text);
        Doc doc =
            new Doc(
                InferenceChain.objectId("contribution", tx),
                contributor.address(),
                0.5 + honest.nextDouble(),
                false);
        honestDocs.add(doc);
        docs.put(doc.id(), doc);
      }
    }
    chain.okAll(txs);
  }

  /** This round's honest requests, served by the capable executors in turn, one batch each. */
  private List<SignedTransaction> honestBatches() {
    Map<PrivateKey, List<InferenceReceipt>> batches = new LinkedHashMap<>();
    List<PrivateKey> serving =
        executors.keySet().stream().filter(k -> capable(k.address())).toList();
    for (PrivateKey user : users) {
      if (honest.nextDouble() >= 0.5) {
        continue;
      }
      BigInteger fee = REQUEST_FEE.multiply(BigInteger.valueOf(1 + honest.nextInt(5)));
      Optional<Hash> withAdapter = honest.nextBoolean() ? Optional.of(adapter) : Optional.empty();
      List<Doc> pool = new ArrayList<>(honestDocs);
      List<Doc> retrieved = new ArrayList<>();
      for (int i = 0; i < RETRIEVED; i++) {
        retrieved.add(pool.remove(honest.nextInt(pool.size())));
      }
      // Spam crowds into the last slot in proportion to its share of the datanet.
      double spamShare = spamDocs.size() / (double) (spamDocs.size() + honestDocs.size());
      if (!spamDocs.isEmpty() && attackRandom.nextDouble() < spamShare) {
        retrieved.set(RETRIEVED - 1, spamDocs.get(attackRandom.nextInt(spamDocs.size())));
      }
      Request request = request(user, retrieved, fee, withAdapter);
      PrivateKey executor = serving.get((int) (served++ % serving.size()));
      batches
          .computeIfAbsent(executor, e -> new ArrayList<>())
          .add(receipt(request, executor.address(), executors.get(executor).scores(request)));
    }
    List<SignedTransaction> txs = new ArrayList<>();
    batches.forEach((executor, receipts) -> txs.add(chain.submit(executor, receipts)));
    return txs;
  }

  /**
   * The verifier's challenges against last round's batches whose receipts disagree with its own
   * re-execution, and the voters' votes on last round's challenges, as many as a majority needs.
   */
  private List<SignedTransaction> checks() {
    List<SignedTransaction> txs = new ArrayList<>();
    for (Hash challengeId : challengedLastRound) {
      txs.addAll(votes(challengeId));
    }
    challengedLastRound.clear();
    BigInteger balance = chain.ledger().account(verifier.address()).balance();
    for (Hash batchId : postedLastRound) {
      InferenceBatch batch = chain.ledger().inferenceBatch(batchId).orElseThrow();
      for (int i = 0; i < batch.receipts().size(); i++) {
        ReceiptRecord receipt = batch.receipts().get(i);
        Map<Hash, Long> truth = oracle(requests.get(receipt.requestHash()));
        boolean enough = balance.compareTo(InferenceChain.EXECUTOR_BOND) > 0;
        if (agrees(receipt, truth) || batch.executor().equals(verifier.address()) || !enough) {
          continue;
        }
        balance = balance.subtract(InferenceChain.EXECUTOR_BOND);
        txs.add(chain.challenge(verifier, batchId, i, truth, receipt.outputHash()));
      }
    }
    postedLastRound.clear();
    return txs;
  }

  private List<SignedTransaction> votes(Hash challengeId) {
    ReceiptChallenge challenge = chain.ledger().receiptChallenge(challengeId).orElseThrow();
    InferenceBatch batch = chain.ledger().inferenceBatch(challenge.batch()).orElseThrow();
    ReceiptRecord receipt = batch.receipts().get(challenge.receipt());
    boolean uphold = !agrees(receipt, oracle(requests.get(receipt.requestHash())));
    Map<Address, BigInteger> eligible = new LinkedHashMap<>();
    for (ValidatorSet.Validator v : chain.ledger().system().validators().validators()) {
      Address a = v.address();
      if (!a.equals(batch.executor()) && !a.equals(challenge.challenger()) && capable(a)) {
        eligible.put(a, v.power());
      }
    }
    BigInteger total = eligible.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    BigInteger cast = BigInteger.ZERO;
    List<SignedTransaction> txs = new ArrayList<>();
    for (PrivateKey voter : validators) {
      if (cast.multiply(BigInteger.TWO).compareTo(total) > 0) {
        break;
      }
      BigInteger power = eligible.get(voter.address());
      if (power != null) {
        txs.add(chain.vote(voter, challengeId, uphold));
        cast = cast.add(power);
      }
    }
    return txs;
  }

  private static boolean agrees(ReceiptRecord receipt, Map<Hash, Long> truth) {
    Map<Hash, Long> posted = new HashMap<>();
    receipt.scores().forEach(s -> posted.put(s.contribution(), s.scorePpm()));
    return posted.equals(truth);
  }

  /**
   * Commits a round's block; the honest side's transactions must succeed, and the batches and
   * challenges it holds are checked and voted on next round.
   */
  private void commitRound(List<SignedTransaction> txs) {
    ExecutedBlock block = chain.commit(txs);
    for (int i = 0; i < txs.size(); i++) {
      SignedTransaction tx = txs.get(i);
      TxReceipt receipt = block.receipts().get(i);
      if (validators.stream().anyMatch(v -> v.address().equals(tx.sender()))) {
        assertThat(receipt.error()).as("honest %s", tx.body().getKindCase()).isEmpty();
      }
      if (!receipt.success()) {
        continue;
      }
      switch (tx.body().getKindCase()) {
        case SUBMIT_INFERENCE_RECEIPTS ->
            postedLastRound.add(InferenceChain.objectId("inference-batch", tx));
        case CHALLENGE_RECEIPT ->
            challengedLastRound.add(InferenceChain.objectId("receipt-challenge", tx));
        default -> {}
      }
    }
  }

  // ---- attribution oracle --------------------------------------------------------------------

  /**
   * The scores re-execution gives: spam within ±10 ppm, the honest documents sharing the rest of 1
   * by quality times a per-request draw, rounding remainder to the first.
   */
  Map<Hash, Long> oracle(Request request) {
    Map<Hash, Long> scores = new LinkedHashMap<>();
    long spamPositive = 0;
    Map<Doc, Double> raw = new LinkedHashMap<>();
    for (Doc doc : request.retrieved()) {
      long draw = draw(request, doc);
      if (doc.spam()) {
        long ppm = Math.floorMod(draw, 21) - 10;
        scores.put(doc.id(), ppm);
        spamPositive += Math.max(0, ppm);
      } else {
        raw.put(doc, doc.quality() * (0.5 + (draw >>> 11) * 0x1.0p-53));
      }
    }
    long budget = AttributionScore.ONE_PPM - spamPositive;
    double total = raw.values().stream().mapToDouble(Double::doubleValue).sum();
    long given = 0;
    for (Map.Entry<Doc, Double> e : raw.entrySet()) {
      long ppm = (long) Math.floor(budget * e.getValue() / total);
      scores.put(e.getKey().id(), ppm);
      given += ppm;
    }
    Hash first = raw.keySet().iterator().next().id();
    scores.merge(first, budget - given, Long::sum);
    return scores;
  }

  private static long draw(Request request, Doc doc) {
    return ByteBuffer.wrap(Keccak.hash(request.hash().toArray(), doc.id().toArray()).toArray())
        .getLong();
  }

  // ---- what attacks use ----------------------------------------------------------------------

  InferenceChain chain() {
    return chain;
  }

  Random random() {
    return attackRandom;
  }

  SeededTexts texts() {
    return texts;
  }

  Hash datanet() {
    return datanet;
  }

  Hash model() {
    return model;
  }

  List<String> honestTexts() {
    return honestTexts;
  }

  /** A document the attacker got into the datanet; spam crowds into honest retrievals. */
  void addDoc(Doc doc) {
    docs.put(doc.id(), doc);
    if (doc.spam()) {
      spamDocs.add(doc);
    }
  }

  /** An executor that serves honest users' requests in turn with the others while capable. */
  void addExecutor(PrivateKey executor, Scoring scoring) {
    executors.put(executor, scoring);
  }

  /** A request {@code user} sends, retrieving {@code retrieved}. */
  Request request(PrivateKey user, List<Doc> retrieved, BigInteger fee, Optional<Hash> adapter) {
    ByteBuffer id = ByteBuffer.allocate(16).putLong(seed).putLong(requests.size());
    Hash hash = Keccak.hash(user.address().toArray(), id.array());
    Request request = new Request(hash, user, List.copyOf(retrieved), fee, adapter);
    requests.put(hash, request);
    return request;
  }

  /** The receipt {@code executor} posts for {@code request}, paid by the user's authorisation. */
  InferenceReceipt receipt(Request request, Address executor, Map<Hash, Long> scores) {
    long nonce = authNonces.merge(request.user().address(), 1L, Long::sum) - 1;
    return InferenceChain.receipt(
        request.hash(),
        model,
        request.adapter(),
        datanet,
        scores,
        InferenceChain.authorise(
            request.user(), executor, nonce, request.fee(), LIMIT, request.hash()));
  }

  /** Whether {@code account} is a validator whose inference capability is active and whole. */
  boolean capable(Address account) {
    return chain.capable(account);
  }

  /** {@code from} sends each of {@code to} {@code amount}, in one block. */
  void fund(PrivateKey from, List<PrivateKey> to, BigInteger amount) {
    List<SignedTransaction> txs = new ArrayList<>();
    for (PrivateKey key : to) {
      chain.track(key.address());
      txs.add(
          chain.tx(
              from,
              n ->
                  TxBodies.transfer(
                      InferenceChain.CHAIN_ID, n, InferenceChain.TX_FEE, key.address(), amount)));
    }
    chain.okAll(txs);
  }

  /**
   * Stakes {@link InferenceChain#VALIDATOR_STAKE} for {@code key}, waits until it is a validator
   * (only validators may declare) and declares its inference capability, bonding {@link
   * InferenceChain#EXECUTOR_BOND} from its balance.
   */
  void becomeExecutor(PrivateKey key) {
    chain.ok(
        chain.tx(
            key,
            n ->
                TxBodies.stake(
                    InferenceChain.CHAIN_ID,
                    n,
                    InferenceChain.TX_FEE,
                    InferenceChain.VALIDATOR_STAKE)));
    chain.advanceTo(chain.height() + 3);
    chain.declare(key);
    assertThat(capable(key.address())).isTrue();
  }

  static PrivateKey key(int n) {
    byte[] raw = new byte[32];
    raw[0] = 0x22;
    raw[30] = (byte) (n >> 8);
    raw[31] = (byte) n;
    return PrivateKey.fromBytes(raw);
  }

  static List<PrivateKey> keys(int first, int count) {
    List<PrivateKey> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(key(first + i));
    }
    return out;
  }

  // ---- accounting ----------------------------------------------------------------------------

  /** What the attacker owns: holdings plus the bonds of its active contributions. */
  private BigInteger attackerHoldings() {
    if (attack.isEmpty()) {
      return BigInteger.ZERO;
    }
    BigInteger total = BigInteger.ZERO;
    HashSet<Address> mine = new HashSet<>(attack.get().identities());
    for (Address a : mine) {
      total = total.add(chain.holdings(a));
    }
    for (Doc doc : docs.values()) {
      if (mine.contains(doc.contributor())) {
        Contribution c = chain.contributionOf(doc.id());
        if (c.status() == Contribution.Status.ACTIVE) {
          total = total.add(c.bond());
        }
      }
    }
    return total;
  }

  private BigInteger attackerRewards() {
    if (attack.isEmpty()) {
      return BigInteger.ZERO;
    }
    return attack.get().identities().stream()
        .map(chain::rewards)
        .reduce(BigInteger.ZERO, BigInteger::add);
  }

  @Override
  public void close() {
    chain.close();
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
