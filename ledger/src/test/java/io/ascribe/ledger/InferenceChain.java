package io.ascribe.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.AttributionScore;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.InferenceReceipt;
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
import io.ascribe.ledger.ai.AdapterRef;
import io.ascribe.ledger.ai.Contribution;
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
 * given at genesis (each declared capable through {@link StakeBondCapabilities}), and helpers that
 * keep every key's nonce. Every address it has seen counts in {@link #assertSupplyInvariant}.
 */
public final class InferenceChain implements AutoCloseable {
  public static final long CHAIN_ID = 4242;
  public static final BigInteger OPEN = Amount.ONE_OPEN;
  public static final BigInteger TX_FEE = BigInteger.TEN.pow(12);
  public static final BigInteger REQUEST_FEE = BigInteger.TEN.pow(16);
  public static final BigInteger EXECUTOR_BOND = OPEN.multiply(BigInteger.valueOf(1_000));
  public static final BigInteger VALIDATOR_STAKE = OPEN.multiply(BigInteger.valueOf(10_000));
  public static final BigInteger VALIDATOR_BALANCE = OPEN.multiply(BigInteger.valueOf(5_000));
  public static final BigInteger CONTRIBUTION_BOND = OPEN;

  private final Path dir;
  private final Genesis genesis;
  private final StakeBondCapabilities capabilities = new StakeBondCapabilities(EXECUTOR_BOND);
  private final Map<Address, Long> nonces = new HashMap<>();
  private final Set<Address> seen = new LinkedHashSet<>();
  private final Address proposer;
  private final long window;
  private Ledger ledger;
  private long time = 1_800_000_000_000L;

  /**
   * A chain whose challenge window is {@code window} blocks, whose genesis bonds {@link
   * #VALIDATOR_STAKE} for each of {@code validators} (the first proposes every block; each has
   * {@link #VALIDATOR_BALANCE} to pay fees and challenge bonds) and gives each of {@code funded}
   * {@code funds}.
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
      allocations.add(new Genesis.Allocation(v.address(), VALIDATOR_BALANCE));
      capabilities.declare(v.address());
      seen.add(v.address());
    }
    AiParams devnet = DevnetGenesis.ai();
    AiParams ai =
        new AiParams(
            devnet.workFeeSplit(),
            devnet.jobs(),
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
    this.ledger = Ledger.open(dir, genesis, capabilities);
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

  public StakeBondCapabilities capabilities() {
    return capabilities;
  }

  /** Closes the ledger and opens it again from its directory. */
  public void restart() {
    ledger.close();
    ledger = Ledger.open(dir, genesis, capabilities);
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

  /** An adapter of {@code model} whose fees' fine-tuner share goes to {@code fineTuner}. */
  public Hash addAdapter(Hash model, Address fineTuner) {
    Hash id = Keccak.hash(model.toArray(), fineTuner.toArray());
    capabilities.addAdapter(new AdapterRef(id, model, fineTuner));
    seen.add(fineTuner);
    return id;
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

  /** Everything the account owns: balance, stake, unbonding and rewards credited. */
  public BigInteger holdings(Address account) {
    AccountState s = ledger.account(account);
    return s.balance().add(s.stake()).add(s.unbonding()).add(ledger.rewards(account));
  }

  /**
   * Balances + stakes + unbonding + bonds + credited rewards + held inference payouts = total
   * supply, over every account this chain has seen (nobody else can hold anything here).
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
    assertThat(held.add(system.bonded()).add(system.rewards()).add(system.held().total()))
        .isEqualTo(system.totalSupply());
  }

  /** Remembers an address that received something without signing (a transfer's recipient). */
  public void track(Address address) {
    seen.add(address);
  }
}
