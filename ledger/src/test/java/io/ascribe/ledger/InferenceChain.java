package io.ascribe.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.AttributionScore;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.InferenceReceipt;
import io.ascribe.core.proto.TuningMethod;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.FeeAuthorisation;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.AiParams;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.Capability;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.TxExecutor;
import io.ascribe.ledger.exec.TxReceipt;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * A chain for inference-receipt tests and attack simulations: real blocks through a {@link Ledger}
 * on RocksDB, a short challenge window so settlement is reached in a few blocks, the validators
 * given at genesis (each of which declares the inference capability by a real {@code
 * DeclareCapability} transaction in the first block, bonding {@link #EXECUTOR_BOND}), adapters that
 * come from tuning jobs driven to FINAL, and helpers that keep every key's nonce. Every address it
 * has seen counts in {@link #assertSupplyInvariant}.
 */
public final class InferenceChain implements AutoCloseable {
  public static final long CHAIN_ID = 4242;
  public static final BigInteger OPEN = Amount.ONE_OPEN;
  public static final BigInteger TX_FEE = BigInteger.TEN.pow(12);
  public static final BigInteger REQUEST_FEE = BigInteger.TEN.pow(16);

  /** The capability bond a validator posts to declare the inference capability. */
  public static final BigInteger EXECUTOR_BOND = OPEN.multiply(BigInteger.valueOf(1_000));

  public static final BigInteger VALIDATOR_STAKE = OPEN.multiply(BigInteger.valueOf(10_000));
  public static final BigInteger VALIDATOR_BALANCE = OPEN.multiply(BigInteger.valueOf(5_000));
  public static final BigInteger CONTRIBUTION_BOND = OPEN;

  /**
   * Blocks a tuning job's verifiers have to attest and an accepted result stays open to challenge:
   * short, so an adapter is FINAL a few blocks after its job is submitted.
   */
  public static final long JOB_WINDOW = 2;

  private final Path dir;
  private final Genesis genesis;
  private final Map<Address, PrivateKey> validatorKeys = new HashMap<>();
  private final Map<Address, Long> nonces = new HashMap<>();
  private final Set<Address> seen = new LinkedHashSet<>();
  private final Address proposer;
  private final long window;
  private Ledger ledger;
  private long time = 1_800_000_000_000L;

  /**
   * A chain whose challenge window is {@code window} blocks, whose genesis bonds {@link
   * #VALIDATOR_STAKE} for each of {@code validators} (the first proposes every block; each has
   * {@link #VALIDATOR_BALANCE} to pay fees and challenge bonds once it has declared the capability)
   * and gives each of {@code funded} {@code funds}.
   */
  public InferenceChain(
      Path dir,
      long window,
      List<PrivateKey> validators,
      List<PrivateKey> funded,
      BigInteger funds) {
    this(dir, window, validators, funding(funded, funds));
  }

  /** As above, with each funded account's own balance. */
  public InferenceChain(
      Path dir, long window, List<PrivateKey> validators, Map<PrivateKey, BigInteger> funded) {
    this.dir = dir;
    this.window = window;
    this.proposer = validators.get(0).address();
    List<Genesis.Allocation> allocations = new ArrayList<>();
    funded.forEach(
        (key, funds) -> {
          allocations.add(new Genesis.Allocation(key.address(), funds));
          seen.add(key.address());
        });
    List<Genesis.GenesisValidator> set = new ArrayList<>();
    for (PrivateKey v : validators) {
      set.add(new Genesis.GenesisValidator(v.address(), VALIDATOR_STAKE));
      // The capability bond comes out of the balance when the validator declares.
      allocations.add(new Genesis.Allocation(v.address(), VALIDATOR_BALANCE.add(EXECUTOR_BOND)));
      validatorKeys.put(v.address(), v);
      seen.add(v.address());
    }
    AiParams devnet = DevnetGenesis.ai();
    AiParams.Jobs devnetJobs = devnet.jobs();
    AiParams ai =
        new AiParams(
            devnet.workFeeSplit(),
            new AiParams.Jobs(
                devnetJobs.verifiers(),
                EXECUTOR_BOND,
                devnetJobs.minJobFee(),
                devnetJobs.maxDeadlineBlocks(),
                devnetJobs.fraudSlashBps(),
                devnetJobs.missedDeadlineSlashBps(),
                JOB_WINDOW),
            new AiParams.Inference(REQUEST_FEE, window, 100, 5_000),
            devnet.slashing());
    this.genesis =
        new Genesis(
            CHAIN_ID,
            Instant.parse("2026-01-01T00:00:00Z"),
            set,
            allocations,
            new ProtocolParams(
                1000,
                10,
                2,
                EXECUTOR_BOND,
                TX_FEE,
                10_000,
                new ProtocolParams.FeeSplit(2000, 8000),
                5,
                ai));
    this.ledger = Ledger.open(dir, genesis);
    List<SignedTransaction> declarations = new ArrayList<>();
    for (PrivateKey v : validators) {
      declarations.add(tx(v, n -> TxBodies.declareCapability(CHAIN_ID, n, TX_FEE)));
    }
    okAll(declarations);
  }

  /** The challenge window, in blocks. */
  public long window() {
    return window;
  }

  private static Map<PrivateKey, BigInteger> funding(List<PrivateKey> keys, BigInteger funds) {
    Map<PrivateKey, BigInteger> out = new LinkedHashMap<>();
    keys.forEach(k -> out.put(k, funds));
    return out;
  }

  public Ledger ledger() {
    return ledger;
  }

  public Genesis genesis() {
    return genesis;
  }

  /** Closes the ledger and opens it again from its directory. */
  public void restart() {
    ledger.close();
    ledger = Ledger.open(dir, genesis);
  }

  @Override
  public void close() {
    ledger.close();
  }

  // ---- transactions and blocks ---------------------------------------------------------------

  /** Signs the body {@code body} builds from {@code key}'s next nonce. */
  public SignedTransaction tx(PrivateKey key, LongFunction<TxBody> body) {
    seen.add(key.address());
    long nonce = nonces.merge(key.address(), 1L, Long::sum) - 1;
    return SignedTransaction.sign(body.apply(nonce), key);
  }

  /** The id of the object {@code tx} creates. */
  public static Hash objectId(String kind, SignedTransaction tx) {
    return TxExecutor.objectId(kind, tx.sender(), tx.body().getNonce());
  }

  /** The id of the object {@code key}'s last transaction created. */
  public Hash lastObjectId(String kind, PrivateKey key) {
    return TxExecutor.objectId(kind, key.address(), nonces.get(key.address()) - 1);
  }

  /** Proposes and commits a block of {@code txs}; every one of them must be includable. */
  public ExecutedBlock commit(List<SignedTransaction> txs) {
    ExecutedBlock block = ledger.propose(txs, time += 1000, proposer);
    assertThat(block.rejected()).isEmpty();
    ledger.commit(block, Commit.newBuilder().setHeight(block.height()).build());
    return block;
  }

  public ExecutedBlock commit(SignedTransaction... txs) {
    return commit(List.of(txs));
  }

  /** Commits a block of {@code txs}, each of which must succeed. */
  public void okAll(List<SignedTransaction> txs) {
    for (TxReceipt receipt : commit(txs).receipts()) {
      assertThat(receipt.error()).isEmpty();
    }
  }

  /** Commits {@code tx} alone and returns its receipt. */
  public TxReceipt run(SignedTransaction tx) {
    return commit(tx).receipts().get(0);
  }

  /** Commits {@code tx} alone; it must succeed. */
  public void ok(SignedTransaction tx) {
    assertThat(run(tx).error()).isEmpty();
  }

  /** Commits empty blocks until the head is at {@code height}. */
  public void advanceTo(long height) {
    while (ledger.height() < height) {
      commit();
    }
  }

  public long height() {
    return ledger.height();
  }

  // ---- AI objects ----------------------------------------------------------------------------

  public Hash createDatanet(PrivateKey owner, int nearDuplicateBps) {
    ok(
        tx(
            owner,
            n ->
                TxBodies.createDatanet(
                    CHAIN_ID,
                    n,
                    TX_FEE,
                    "docs",
                    TxBodies.datanetRules(CONTRIBUTION_BOND, "text/v1", nearDuplicateBps))));
    return lastObjectId("datanet", owner);
  }

  public Hash registerModel(PrivateKey owner) {
    Hash weights = Keccak.hash(owner.address().toArray());
    ok(
        tx(
            owner,
            n -> TxBodies.registerModel(CHAIN_ID, n, TX_FEE, weights, weights, "llama", "MIT")));
    return lastObjectId("model", owner);
  }

  /**
   * An adapter of {@code model}, tuned on {@code datanet}, whose fees' fine-tuner share goes to
   * {@code fineTuner}: the fine-tuner submits a LoRA job with the minimum fee, the executor the
   * ledger draws posts a result, the drawn verifiers accept it, and the chain advances past the
   * challenge window until the job is FINAL and the ledger registers the adapter. The result scores
   * no contribution's influence, so the job's contributor share is burned rather than paid to
   * anyone a test counts; its executor, verifier and validator shares go to the validators.
   */
  public Hash tuneAdapter(PrivateKey fineTuner, Hash model, Hash datanet) {
    AiParams.Jobs jobs = genesis.params().ai().jobs();
    long deadline = height() + 3;
    SignedTransaction submit =
        tx(
            fineTuner,
            n ->
                TxBodies.submitTuningJob(
                    CHAIN_ID,
                    n,
                    TX_FEE,
                    TxBodies.tuningJob(
                        model,
                        datanet,
                        TuningMethod.TUNING_METHOD_LORA,
                        TxBodies.hyperparameters(8, 16, 200_000, 2, 4),
                        height(),
                        2_000,
                        jobs.minJobFee(),
                        deadline)));
    ok(submit);
    Hash id = objectId("tuning-job", submit);
    TuningJob job = ledger.tuningJob(id).orElseThrow();
    Hash weights = Keccak.hash(id.toArray());
    ok(
        tx(
            validatorKey(job.executor()),
            n ->
                TxBodies.postTuningResult(
                    CHAIN_ID,
                    n,
                    TX_FEE,
                    id,
                    weights,
                    1_000_000_000L,
                    TxBodies.evalMetrics(1_200_000_000L, 400_000_000L),
                    Map.of())));
    for (Address verifier : job.verifiers()) {
      if (ledger.tuningJob(id).orElseThrow().status() == TuningJob.Status.POSTED) {
        ok(tx(validatorKey(verifier), n -> TxBodies.accept(CHAIN_ID, n, TX_FEE, id)));
      }
    }
    TuningJob accepted = ledger.tuningJob(id).orElseThrow();
    assertThat(accepted.status()).isEqualTo(TuningJob.Status.ACCEPTED);
    advanceTo(accepted.acceptedHeight() + jobs.verifyWindowBlocks() + 1);
    assertThat(ledger.tuningJob(id).orElseThrow().status()).isEqualTo(TuningJob.Status.FINAL);
    Adapter adapter = ledger.adapter(Adapter.idOf(id)).orElseThrow();
    assertThat(adapter.fineTuner()).isEqualTo(fineTuner.address());
    return adapter.id();
  }

  /** The key of a validator this chain knows (given at genesis or declared since). */
  private PrivateKey validatorKey(Address validator) {
    PrivateKey key = validatorKeys.get(validator);
    if (key == null) {
      throw new IllegalStateException(
          "the ledger drew "
              + validator
              + " for a tuning job, but this chain has no key for it: declare through declare()");
    }
    return key;
  }

  public SignedTransaction contribution(PrivateKey from, Hash datanet, String text) {
    return tx(
        from,
        n ->
            TxBodies.contribute(
                CHAIN_ID,
                n,
                TX_FEE,
                datanet,
                Keccak.hash(text.getBytes(StandardCharsets.UTF_8)),
                text.length(),
                SeededTexts.minhash(text),
                CONTRIBUTION_BOND));
  }

  /** Contributes {@code text}; it must be accepted. */
  public Hash contribute(PrivateKey from, Hash datanet, String text) {
    ok(contribution(from, datanet, text));
    return lastObjectId("contribution", from);
  }

  public Contribution contributionOf(Hash id) {
    return ledger.contribution(id).orElseThrow();
  }

  // ---- receipts ------------------------------------------------------------------------------

  /**
   * The user's signed authorisation of {@code fee} for {@code request} served by {@code executor}.
   */
  public static io.ascribe.core.proto.FeeAuthorisation authorise(
      PrivateKey user,
      Address executor,
      long authorisationNonce,
      BigInteger fee,
      BigInteger limit,
      Hash request) {
    return new FeeAuthorisation(
            CHAIN_ID, user.address(), executor, authorisationNonce, fee, limit, request)
        .signed(user);
  }

  /** A receipt for {@code request} with the given scores, paid by {@code authorisation}. */
  public static InferenceReceipt receipt(
      Hash request,
      Hash model,
      Optional<Hash> adapter,
      Hash datanet,
      Map<Hash, Long> scores,
      io.ascribe.core.proto.FeeAuthorisation authorisation) {
    List<AttributionScore> list = new ArrayList<>();
    scores.forEach((id, ppm) -> list.add(TxBodies.attributionScore(id, ppm)));
    return TxBodies.inferenceReceipt(
        request, model, adapter, datanet, list, Keccak.hash(request.toArray()), authorisation);
  }

  public SignedTransaction submit(PrivateKey executor, List<InferenceReceipt> receipts) {
    return tx(executor, n -> TxBodies.submitInferenceReceipts(CHAIN_ID, n, TX_FEE, receipts));
  }

  public SignedTransaction challenge(
      PrivateKey verifier, Hash batch, int index, Map<Hash, Long> scores, Hash output) {
    List<AttributionScore> list = new ArrayList<>();
    scores.forEach((id, ppm) -> list.add(TxBodies.attributionScore(id, ppm)));
    return tx(
        verifier,
        n ->
            TxBodies.challengeReceipt(
                CHAIN_ID, n, TX_FEE, batch, index, list, output, EXECUTOR_BOND));
  }

  public SignedTransaction vote(PrivateKey verifier, Hash challenge, boolean uphold) {
    return tx(verifier, n -> TxBodies.voteOnChallenge(CHAIN_ID, n, TX_FEE, challenge, uphold));
  }

  // ---- accounting ----------------------------------------------------------------------------

  /** The account's cumulative reward. */
  public BigInteger rewards(Address account) {
    return ledger.rewards(account);
  }

  /**
   * Everything the account owns: balance, stake, unbonding, its capability bond (it comes back when
   * the account undeclares) and rewards credited.
   */
  public BigInteger holdings(Address account) {
    AccountState s = ledger.account(account);
    return s.balance()
        .add(s.stake())
        .add(s.unbonding())
        .add(capabilityBond(account))
        .add(ledger.rewards(account));
  }

  /** The bond behind {@code account}'s inference capability (zero if it never declared). */
  public BigInteger capabilityBond(Address account) {
    return ledger.capability(account).map(Capability::bond).orElse(BigInteger.ZERO);
  }

  /**
   * Whether {@code account} may serve and check inference now: a validator whose declared
   * capability is active with a whole bond.
   */
  public boolean capable(Address account) {
    return ledger.capability(account).filter(c -> c.takesJobs(EXECUTOR_BOND)).isPresent()
        && ledger.system().validators().find(account).isPresent();
  }

  /** {@code key} declares the inference capability (it must be a validator); it must succeed. */
  public void declare(PrivateKey key) {
    validatorKeys.put(key.address(), key);
    ok(tx(key, n -> TxBodies.declareCapability(CHAIN_ID, n, TX_FEE)));
  }

  /**
   * Balances + stakes + unbonding + bonds (contribution and capability) + credited rewards + held
   * inference payouts + tuning-job escrow = total supply, over every account this chain has seen
   * (nobody else can hold anything here).
   */
  public void assertSupplyInvariant() {
    BigInteger held = BigInteger.ZERO;
    for (Address a : seen) {
      AccountState s = ledger.account(a);
      held = held.add(s.balance()).add(s.stake()).add(s.unbonding());
    }
    var system = ledger.system();
    BigInteger credited =
        ledger.rewards().values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    assertThat(system.rewards()).isEqualTo(credited);
    assertThat(
            held.add(system.bonded())
                .add(system.rewards())
                .add(system.held().total())
                .add(system.jobs().escrow()))
        .isEqualTo(system.totalSupply());
  }

  /** Remembers an address that received something without signing (a transfer's recipient). */
  public void track(Address address) {
    seen.add(address);
  }
}
