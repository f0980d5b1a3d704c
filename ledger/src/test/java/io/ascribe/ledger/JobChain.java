package io.ascribe.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.Hyperparameters;
import io.ascribe.core.proto.TuningMethod;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.AiParams;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.ai.Capability;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.EvalSplit;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.TxExecutor;
import io.ascribe.ledger.exec.TxReceipt;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * A chain on RocksDB for tuning-job tests: validators of the given stakes, funded users, and the
 * helpers that sign their transactions with the right nonces, commit blocks, set up a model, a
 * datanet and contributions, and check the supply invariant down to every bond and escrow.
 */
public final class JobChain implements AutoCloseable {
  public static final long CHAIN_ID = 4343;
  public static final BigInteger OPEN = Amount.ONE_OPEN;
  public static final BigInteger FEE = BigInteger.TEN.pow(12);
  public static final BigInteger MIN_STAKE = OPEN.multiply(BigInteger.valueOf(1_000));
  public static final BigInteger FUNDS = OPEN.multiply(BigInteger.valueOf(1_000_000));
  public static final BigInteger CONTRIBUTION_BOND = OPEN;

  private final Path dir;
  private final Genesis genesis;
  private final List<PrivateKey> validators = new ArrayList<>();
  private final List<PrivateKey> users = new ArrayList<>();
  private final Set<Address> tracked = new LinkedHashSet<>();
  private final Set<Hash> contributions = new LinkedHashSet<>();
  private final Set<Hash> jobs = new LinkedHashSet<>();
  private final Map<Address, Long> nonces = new HashMap<>();
  private final Random random = new Random(11);
  private Ledger ledger;
  private long time = 1_900_000_000_000L;
  private int contents;

  /**
   * @param stakes one validator per stake, each funded as a user too
   * @param userCount funded accounts that are not validators
   * @param jobs the tuning-job rules (the rest of the AI parameters are the devnet's)
   */
  public JobChain(Path dir, List<BigInteger> stakes, int userCount, AiParams.Jobs jobs) {
    this.dir = dir;
    List<Genesis.GenesisValidator> set = new ArrayList<>();
    List<Genesis.Allocation> allocations = new ArrayList<>();
    for (int i = 0; i < stakes.size(); i++) {
      PrivateKey key = key(100 + i);
      validators.add(key);
      set.add(new Genesis.GenesisValidator(key.address(), stakes.get(i)));
      allocations.add(new Genesis.Allocation(key.address(), FUNDS));
    }
    for (int i = 0; i < userCount; i++) {
      PrivateKey key = key(1_000 + i);
      users.add(key);
      allocations.add(new Genesis.Allocation(key.address(), FUNDS));
    }
    validators.forEach(k -> tracked.add(k.address()));
    users.forEach(k -> tracked.add(k.address()));
    AiParams devnet = DevnetGenesis.ai();
    this.genesis =
        new Genesis(
            CHAIN_ID,
            Instant.parse("2026-01-01T00:00:00Z"),
            set,
            allocations,
            new ProtocolParams(
                1000,
                1_000_000,
                2,
                MIN_STAKE,
                FEE,
                10_000,
                new ProtocolParams.FeeSplit(2000, 8000),
                5,
                new AiParams(devnet.workFeeSplit(), jobs, devnet.inference(), devnet.slashing())));
    this.ledger = Ledger.open(dir, genesis);
  }

  /** The devnet's bond, fees and slashes with these counts and windows. */
  public static AiParams.Jobs jobs(int verifiers, long maxDeadlineBlocks, long verifyWindowBlocks) {
    AiParams.Jobs devnet = DevnetGenesis.ai().jobs();
    return new AiParams.Jobs(
        verifiers,
        devnet.executorBond(),
        devnet.minJobFee(),
        maxDeadlineBlocks,
        devnet.fraudSlashBps(),
        devnet.missedDeadlineSlashBps(),
        verifyWindowBlocks);
  }

  public static PrivateKey key(int n) {
    byte[] raw = new byte[32];
    raw[0] = 0x22;
    raw[30] = (byte) (n >> 8);
    raw[31] = (byte) n;
    return PrivateKey.fromBytes(raw);
  }

  public Ledger ledger() {
    return ledger;
  }

  public AiParams.Jobs params() {
    return genesis.params().ai().jobs();
  }

  public List<PrivateKey> validators() {
    return validators;
  }

  public List<PrivateKey> users() {
    return users;
  }

  /** The validator or user whose address is {@code address}. */
  public PrivateKey keyOf(Address address) {
    for (PrivateKey k : validators) {
      if (k.address().equals(address)) {
        return k;
      }
    }
    return users.stream().filter(k -> k.address().equals(address)).findFirst().orElseThrow();
  }

  /** Counts {@code key}'s account in the supply invariant (for accounts funded later). */
  public void track(PrivateKey key) {
    tracked.add(key.address());
  }

  public long height() {
    return ledger.height();
  }

  /** Signs {@code body} (given the sender's next nonce) as {@code key}. */
  public SignedTransaction sign(PrivateKey key, LongFunction<TxBody> body) {
    long nonce = nonces.merge(key.address(), 1L, Long::sum) - 1;
    return SignedTransaction.sign(body.apply(nonce), key);
  }

  /** Commits a block of {@code txs}, all of which must be includable. */
  public ExecutedBlock commit(List<SignedTransaction> txs) {
    ExecutedBlock block = ledger.propose(txs, time += 1000, validators.get(0).address());
    assertThat(block.rejected()).isEmpty();
    ledger.commit(block, Commit.newBuilder().setHeight(block.height()).build());
    return block;
  }

  public ExecutedBlock commit(SignedTransaction... txs) {
    return commit(List.of(txs));
  }

  /** Runs one transaction in a block of its own and returns its receipt. */
  public TxReceipt run(PrivateKey key, LongFunction<TxBody> body) {
    return commit(sign(key, body)).receipts().get(0);
  }

  /** Runs one transaction that must succeed. */
  public void ok(PrivateKey key, LongFunction<TxBody> body) {
    assertThat(run(key, body).error()).isEmpty();
  }

  /** Commits empty blocks until the head is at {@code height}. */
  public void advanceTo(long height) {
    while (ledger.height() < height) {
      commit();
    }
  }

  /** Every validator declares the inference capability, in one block. */
  public void declareAll() {
    List<SignedTransaction> txs = new ArrayList<>();
    for (PrivateKey v : validators) {
      txs.add(sign(v, n -> TxBodies.declareCapability(CHAIN_ID, n, FEE)));
    }
    commit(txs).receipts().forEach(r -> assertThat(r.error()).isEmpty());
  }

  public Hash registerModel(PrivateKey owner) {
    long nonce = nonces.getOrDefault(owner.address(), 0L);
    Hash weights = Keccak.hash(new byte[] {1});
    ok(
        owner,
        n -> TxBodies.registerModel(CHAIN_ID, n, FEE, weights, weights, "llama", "Apache-2.0"));
    return TxExecutor.objectId("model", owner.address(), nonce);
  }

  /** A datanet that refuses only identical MinHash signatures. */
  public Hash createDatanet(PrivateKey owner) {
    long nonce = nonces.getOrDefault(owner.address(), 0L);
    ok(
        owner,
        n ->
            TxBodies.createDatanet(
                CHAIN_ID,
                n,
                FEE,
                "corpus",
                TxBodies.datanetRules(CONTRIBUTION_BOND, "text/v1", 10_000)));
    return TxExecutor.objectId("datanet", owner.address(), nonce);
  }

  /** A contribution transaction with fresh content and a random MinHash signature. */
  public SignedTransaction contribution(PrivateKey from, Hash datanet) {
    Hash content = Keccak.hash(ByteBuffer.allocate(4).putInt(contents++).array());
    long[] minhash = new long[MinHash.SLOTS];
    for (int i = 0; i < minhash.length; i++) {
      minhash[i] = random.nextLong();
    }
    return sign(
        from,
        n ->
            TxBodies.contribute(
                CHAIN_ID, n, FEE, datanet, content, 100, minhash, CONTRIBUTION_BOND));
  }

  /** Contributes {@code count} records from {@code from} in one block; returns their ids. */
  public List<Hash> contribute(PrivateKey from, Hash datanet, int count) {
    long first = nonces.getOrDefault(from.address(), 0L);
    List<SignedTransaction> txs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      txs.add(contribution(from, datanet));
    }
    commit(txs).receipts().forEach(r -> assertThat(r.error()).isEmpty());
    List<Hash> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Hash id = TxExecutor.objectId("contribution", from.address(), first + i);
      ids.add(id);
      contributions.add(id);
    }
    return ids;
  }

  /** A LoRA job's body (rank 8, alpha 16, a fifth held out); see {@link #submit}. */
  public static LongFunction<TxBody> job(
      Hash model, Hash datanet, BigInteger escrow, long deadline, long seed) {
    return job(
        model,
        datanet,
        TuningMethod.TUNING_METHOD_LORA,
        TxBodies.hyperparameters(8, 16, 200_000, 2, 4),
        2_000,
        escrow,
        deadline,
        seed);
  }

  /** A job's body with every setting chosen. */
  public static LongFunction<TxBody> job(
      Hash model,
      Hash datanet,
      TuningMethod method,
      Hyperparameters hyperparameters,
      int evalBps,
      BigInteger escrow,
      long deadline,
      long seed) {
    return n ->
        TxBodies.submitTuningJob(
            CHAIN_ID,
            n,
            FEE,
            TxBodies.tuningJob(
                model, datanet, method, hyperparameters, seed, evalBps, escrow, deadline));
  }

  /** The entries of {@code scores} for the contributions {@code job} trains on. */
  public static Map<Hash, Long> trainedOn(TuningJob job, Map<Hash, Long> scores) {
    Map<Hash, Long> out = new TreeMap<>();
    scores.forEach(
        (id, score) -> {
          if (!EvalSplit.heldOut(job.spec().seed(), job.spec().evalBps(), id)) {
            out.put(id, score);
          }
        });
    return out;
  }

  /** The id {@code submitter}'s next transaction would give a job. */
  public Hash nextJobId(PrivateKey submitter) {
    return TxExecutor.objectId(
        "tuning-job", submitter.address(), nonces.getOrDefault(submitter.address(), 0L));
  }

  /** Submits a job, which must be accepted, and returns it. */
  public TuningJob submit(
      PrivateKey submitter, Hash model, Hash datanet, BigInteger escrow, long deadline, long seed) {
    Hash id = nextJobId(submitter);
    ok(submitter, job(model, datanet, escrow, deadline, seed));
    watch(id);
    return job(id);
  }

  /** Submits {@code count} jobs (seeds 0 to count - 1) in one block; each must be accepted. */
  public List<TuningJob> submitMany(
      PrivateKey submitter, Hash model, Hash datanet, BigInteger escrow, long deadline, int count) {
    List<Hash> ids = new ArrayList<>();
    List<SignedTransaction> txs = new ArrayList<>();
    for (int seed = 0; seed < count; seed++) {
      ids.add(nextJobId(submitter));
      txs.add(sign(submitter, job(model, datanet, escrow, deadline, seed)));
    }
    commit(txs).receipts().forEach(r -> assertThat(r.error()).isEmpty());
    ids.forEach(this::watch);
    return ids.stream().map(this::job).toList();
  }

  /** Counts job {@code id}'s escrow in the invariant while it is open. */
  public void watch(Hash id) {
    jobs.add(id);
  }

  public TuningJob job(Hash id) {
    return ledger.tuningJob(id).orElseThrow();
  }

  /** {@code account}'s capability bond (zero if it never declared). */
  public BigInteger bond(Address account) {
    return ledger.capability(account).map(Capability::bond).orElse(BigInteger.ZERO);
  }

  /**
   * Balances + stakes + unbonding + bonds + rewards + escrow = total supply, with the bonds equal
   * to the capability and active contribution bonds and the escrow to the open jobs' escrows.
   */
  public void assertSupplyInvariant() {
    BigInteger held = BigInteger.ZERO;
    BigInteger capabilityBonds = BigInteger.ZERO;
    for (Address a : tracked) {
      AccountState s = ledger.account(a);
      held = held.add(s.balance()).add(s.stake()).add(s.unbonding());
      capabilityBonds = capabilityBonds.add(bond(a));
    }
    BigInteger contributionBonds =
        contributions.stream()
            .map(id -> ledger.contribution(id).orElseThrow())
            .filter(c -> c.status() == Contribution.Status.ACTIVE)
            .map(Contribution::bond)
            .reduce(BigInteger.ZERO, BigInteger::add);
    BigInteger escrow =
        jobs.stream()
            .map(this::job)
            .filter(j -> !j.status().isOver())
            .map(TuningJob::escrow)
            .reduce(BigInteger.ZERO, BigInteger::add);
    var system = ledger.system();
    assertThat(system.bonded()).isEqualTo(capabilityBonds.add(contributionBonds));
    assertThat(system.jobs().escrow()).isEqualTo(escrow);
    assertThat(system.rewards())
        .isEqualTo(ledger.rewards().values().stream().reduce(BigInteger.ZERO, BigInteger::add));
    assertThat(held.add(system.bonded()).add(system.rewards()).add(system.jobs().escrow()))
        .isEqualTo(system.totalSupply());
  }

  /** Closes and opens the ledger again on the same directory. */
  public void reopen() {
    ledger.close();
    ledger = Ledger.open(dir, genesis);
  }

  @Override
  public void close() {
    ledger.close();
  }
}
