package io.ascribe.ledger;

import static io.ascribe.ledger.InferenceChain.CHAIN_ID;
import static io.ascribe.ledger.InferenceChain.EXECUTOR_BOND;
import static io.ascribe.ledger.InferenceChain.OPEN;
import static io.ascribe.ledger.InferenceChain.REQUEST_FEE;
import static io.ascribe.ledger.InferenceChain.TX_FEE;
import static io.ascribe.ledger.InferenceChain.authorise;
import static io.ascribe.ledger.InferenceChain.receipt;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.FeeAuthorisation;
import io.ascribe.core.proto.InferenceReceipt;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.AttributionScore;
import io.ascribe.ledger.ai.BatchFilter;
import io.ascribe.ledger.ai.FeeAuthorisationNonces;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.ReceiptChallenge;
import io.ascribe.ledger.ai.ReceiptRecord;
import io.ascribe.ledger.ai.WorkRole;
import io.ascribe.ledger.ai.WorkShare;
import io.ascribe.ledger.state.HeldPayouts;
import io.ascribe.ledger.state.SystemState;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inference receipts through real blocks: fees held and paid out by attribution when the challenge
 * window closes, every refused receipt or challenge with its reason and nothing lost, challenges
 * upheld, rejected and expired, and the objects surviving a restart under the same root.
 */
class InferenceReceiptsTest {
  private static final PrivateKey EXECUTOR = LedgerFixture.key(1);
  private static final PrivateKey VERIFIER = LedgerFixture.key(2);
  private static final PrivateKey VOTER_1 = LedgerFixture.key(3);
  private static final PrivateKey VOTER_2 = LedgerFixture.key(4);
  private static final PrivateKey USER = LedgerFixture.key(10);
  private static final PrivateKey USER_2 = LedgerFixture.key(11);
  private static final PrivateKey POOR = LedgerFixture.key(12);
  private static final PrivateKey P = LedgerFixture.key(20);
  private static final PrivateKey Q = LedgerFixture.key(21);
  private static final PrivateKey OUTSIDER = LedgerFixture.key(22);

  /** Submits the tuning jobs whose FINAL results are the adapters receipts name. */
  private static final PrivateKey TUNER = LedgerFixture.key(30);

  private static final Address FINE_TUNER = TUNER.address();
  private static final BigInteger LIMIT = OPEN.multiply(BigInteger.valueOf(100));
  private static final BigInteger POOR_FUNDS = BigInteger.TEN.pow(15);

  /** Long enough for a test's refusals to fit in a window. */
  private static final long WINDOW = 30;

  @TempDir Path dir;
  private InferenceChain chain;
  private final SeededTexts texts = new SeededTexts(3);
  private final Map<Address, Long> authNonces = new HashMap<>();
  private Hash datanet;
  private Hash otherDatanet;
  private Hash model;
  private Hash adapter;
  private Hash p1;
  private Hash p2;
  private Hash q1;
  private Hash foreign;

  @BeforeEach
  void open() {
    chain =
        new InferenceChain(
            dir,
            WINDOW,
            List.of(EXECUTOR, VERIFIER, VOTER_1, VOTER_2),
            List.of(USER, USER_2, P, Q, OUTSIDER, TUNER),
            OPEN.multiply(BigInteger.valueOf(20_000)));
    datanet = chain.createDatanet(P, 8_000);
    otherDatanet = chain.createDatanet(Q, 8_000);
    model = chain.registerModel(P);
    adapter = chain.tuneAdapter(TUNER, model, datanet);
    p1 = chain.contribute(P, datanet, texts.text(100));
    p2 = chain.contribute(P, datanet, texts.text(100));
    q1 = chain.contribute(Q, datanet, texts.text(100));
    foreign = chain.contribute(Q, otherDatanet, texts.text(100));
    chain.ok(
        chain.tx(USER, n -> TxBodies.transfer(CHAIN_ID, n, TX_FEE, POOR.address(), POOR_FUNDS)));
    chain.track(POOR.address());
  }

  @AfterEach
  void close() {
    chain.close();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static BigInteger open(String amount) {
    return new java.math.BigDecimal(amount)
        .multiply(new java.math.BigDecimal(OPEN))
        .toBigIntegerExact();
  }

  private FeeAuthorisation pay(PrivateKey user, BigInteger fee, Hash request) {
    long nonce = authNonces.merge(user.address(), 1L, Long::sum) - 1;
    return authorise(user, EXECUTOR.address(), nonce, fee, LIMIT, request);
  }

  private static Hash request(String text) {
    return Keccak.hash(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static Map<Hash, Long> scores(Object... idAndPpm) {
    Map<Hash, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < idAndPpm.length; i += 2) {
      out.put((Hash) idAndPpm[i], ((Number) idAndPpm[i + 1]).longValue());
    }
    return out;
  }

  /** A valid receipt by {@code user} paying {@code fee}, scoring p1 and q1 half each. */
  private InferenceReceipt plain(PrivateKey user, BigInteger fee, String text) {
    Hash request = request(text);
    return receipt(
        request,
        model,
        Optional.empty(),
        datanet,
        scores(p1, 500_000, q1, 500_000),
        pay(user, fee, request));
  }

  /** A batch of one receipt for {@code request}, scoring p1 alone, paid by {@code auth}. */
  private SignedTransaction submitOne(Hash request, FeeAuthorisation auth) {
    return chain.submit(
        EXECUTOR,
        List.of(receipt(request, model, Optional.empty(), datanet, scores(p1, 1_000_000), auth)));
  }

  /** Submits a batch that must be accepted and returns its id. */
  private Hash submit(InferenceReceipt... receipts) {
    chain.ok(chain.submit(EXECUTOR, List.of(receipts)));
    return chain.lastObjectId("inference-batch", EXECUTOR);
  }

  private InferenceBatch batch(Hash id) {
    return chain.ledger().inferenceBatch(id).orElseThrow();
  }

  private Map<Address, BigInteger> rewardsOf(Address... accounts) {
    Map<Address, BigInteger> out = new HashMap<>();
    for (Address a : accounts) {
      out.put(a, chain.rewards(a));
    }
    return out;
  }

  private BigInteger gained(Map<Address, BigInteger> before, Address account) {
    return chain.rewards(account).subtract(before.get(account));
  }

  /**
   * Runs {@code tx}, which must fail with {@code error}, and checks that it cost its sender the
   * transaction fee and nothing else: no balance, held payout, bond or nonce record moved.
   */
  private void assertRefused(SignedTransaction tx, String error) {
    Address sender = tx.sender();
    Map<Address, BigInteger> balances = new HashMap<>();
    for (PrivateKey k : List.of(USER, USER_2, POOR, EXECUTOR, VERIFIER, P, Q)) {
      balances.put(k.address(), chain.ledger().account(k.address()).balance());
    }
    SystemState system = chain.ledger().system();
    Optional<FeeAuthorisationNonces> nonces = chain.ledger().feeAuthorisations(USER.address());
    assertThat(chain.run(tx).error()).isEqualTo(error);
    balances.forEach(
        (account, balance) ->
            assertThat(chain.ledger().account(account).balance())
                .isEqualTo(account.equals(sender) ? balance.subtract(TX_FEE) : balance));
    assertThat(chain.ledger().system().held()).isEqualTo(system.held());
    assertThat(chain.ledger().system().bonded()).isEqualTo(system.bonded());
    assertThat(chain.ledger().feeAuthorisations(USER.address())).isEqualTo(nonces);
    chain.assertSupplyInvariant();
  }

  // ---- inclusion and settlement --------------------------------------------------------------

  @Test
  void aBatchHoldsEachFeeUntilTheWindowClosesThenPaysItOutByAttribution() {
    BigInteger userBefore = chain.ledger().account(USER.address()).balance();
    Hash r0 = request("what is a psalm");
    Hash r1 = request("who wrote genesis");
    Hash id =
        submit(
            receipt(
                r0,
                model,
                Optional.of(adapter),
                datanet,
                scores(p1, 600_000, q1, 400_000),
                pay(USER, OPEN, r0)),
            receipt(
                r1,
                model,
                Optional.empty(),
                datanet,
                scores(p2, 990_000, q1, -20_000),
                pay(USER_2, open("0.5"), r1)));
    long included = chain.height();

    // Taken from the users and held; nobody is paid yet.
    assertThat(chain.ledger().account(USER.address()).balance())
        .isEqualTo(userBefore.subtract(OPEN));
    assertThat(chain.ledger().system().held().total()).isEqualTo(open("1.5"));
    assertThat(chain.ledger().system().held().releases())
        .containsExactly(new HeldPayouts.Release(included + WINDOW + 1, id));
    assertThat(chain.rewards(P.address())).isZero();
    InferenceBatch batch = batch(id);
    assertThat(batch.executor()).isEqualTo(EXECUTOR.address());
    assertThat(batch.settleHeight()).isEqualTo(included + WINDOW + 1);
    assertThat(batch.status()).isEqualTo(InferenceBatch.Status.HELD);
    assertThat(chain.ledger().feeAuthorisations(USER.address()).orElseThrow().spent())
        .isEqualTo(OPEN);
    chain.assertSupplyInvariant();

    // The attribution record: contributors 40% pro rata to positive scores, fine-tuner 15%,
    // executor 15%; without an adapter the fine-tuner's share has nobody and is burned.
    ReceiptRecord first = chain.ledger().attribution(id, 0).orElseThrow();
    assertThat(first.user()).isEqualTo(USER.address());
    assertThat(first.fee()).isEqualTo(OPEN);
    assertThat(first.adapter()).contains(adapter);
    assertThat(first.scores())
        .containsExactly(new AttributionScore(p1, 600_000), new AttributionScore(q1, 400_000));
    assertThat(first.earnings())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                P.address(),
                open("0.24"),
                Q.address(),
                open("0.16"),
                FINE_TUNER,
                open("0.15"),
                EXECUTOR.address(),
                open("0.15")));
    assertThat(chain.ledger().attribution(id, 1).orElseThrow().earnings())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(P.address(), open("0.2"), EXECUTOR.address(), open("0.075")));
    assertThat(chain.ledger().attribution(id, 2)).isEmpty();

    chain.advanceTo(included + WINDOW);
    assertThat(batch(id).status()).isEqualTo(InferenceBatch.Status.HELD);
    Map<Address, BigInteger> before =
        rewardsOf(
            P.address(),
            Q.address(),
            FINE_TUNER,
            EXECUTOR.address(),
            VERIFIER.address(),
            VOTER_1.address());
    BigInteger burnedBefore = chain.ledger().system().burned();
    chain.commit();

    // Paid at the start of the first block after the window: validators 10% pro rata to power
    // (four equal validators), verifiers' 10% burned as nobody re-checked, 10% burned.
    assertThat(gained(before, P.address())).isEqualTo(open("0.44"));
    assertThat(gained(before, Q.address())).isEqualTo(open("0.16"));
    assertThat(gained(before, FINE_TUNER)).isEqualTo(open("0.15"));
    assertThat(gained(before, EXECUTOR.address())).isEqualTo(open("0.225").add(open("0.0375")));
    assertThat(gained(before, VERIFIER.address())).isEqualTo(open("0.0375"));
    assertThat(gained(before, VOTER_1.address())).isEqualTo(open("0.0375"));
    assertThat(chain.ledger().system().burned().subtract(burnedBefore))
        .isEqualTo(open("0.2").add(open("0.175")));
    assertThat(chain.ledger().system().held()).isEqualTo(HeldPayouts.NONE);
    assertThat(batch(id).status()).isEqualTo(InferenceBatch.Status.SETTLED);
    assertThat(batch(id).receipts())
        .extracting(ReceiptRecord::status)
        .containsOnly(ReceiptRecord.Status.PAID);
    // The paid receipt records its whole payout by role: the executor's two roles apart, the
    // validators' shares paid now beside those fixed at inclusion; the rest of the fee is burned.
    BigInteger quarter = open("0.025");
    List<WorkShare> paid = batch(id).receipts().get(0).shares();
    assertThat(paid)
        .isSortedAccordingTo(WorkShare.ORDER)
        .containsExactlyInAnyOrder(
            new WorkShare(P.address(), WorkRole.CONTRIBUTOR, open("0.24")),
            new WorkShare(Q.address(), WorkRole.CONTRIBUTOR, open("0.16")),
            new WorkShare(FINE_TUNER, WorkRole.FINE_TUNER, open("0.15")),
            new WorkShare(EXECUTOR.address(), WorkRole.EXECUTOR, open("0.15")),
            new WorkShare(EXECUTOR.address(), WorkRole.VALIDATOR, quarter),
            new WorkShare(VERIFIER.address(), WorkRole.VALIDATOR, quarter),
            new WorkShare(VOTER_1.address(), WorkRole.VALIDATOR, quarter),
            new WorkShare(VOTER_2.address(), WorkRole.VALIDATOR, quarter));
    assertThat(chain.ledger().inferenceBatches(BatchFilter.ALL, 0, 10).items())
        .extracting(InferenceBatch::id)
        .containsExactly(id);
    chain.assertSupplyInvariant();
  }

  @Test
  void batchesAreListedInTheOrderTheyWerePostedByExecutorAndStatus() {
    Hash first = submit(plain(USER, OPEN, "one"));
    long included = chain.height();
    Hash second = submit(plain(USER, OPEN, "two"));
    chain.advanceTo(included + WINDOW + 1);

    assertThat(chain.ledger().inferenceBatches(BatchFilter.ALL, 0, 10).items())
        .extracting(InferenceBatch::id)
        .containsExactly(first, second);
    assertThat(chain.ledger().inferenceBatches(BatchFilter.ALL, 1, 10).items())
        .extracting(InferenceBatch::id)
        .containsExactly(second);
    assertThat(chain.ledger().inferenceBatches(BatchFilter.ALL, 0, 10).total()).isEqualTo(2);
    BatchFilter held = new BatchFilter(Optional.empty(), Optional.of(InferenceBatch.Status.HELD));
    assertThat(chain.ledger().inferenceBatches(held, 0, 10).items())
        .extracting(InferenceBatch::id)
        .containsExactly(second);
    BatchFilter byOther = new BatchFilter(Optional.of(VERIFIER.address()), Optional.empty());
    assertThat(chain.ledger().inferenceBatches(byOther, 0, 10).items()).isEmpty();
  }

  @Test
  void authorisationNoncesMayArriveOutOfOrderButEachIsUsedOnce() {
    Hash a = request("a");
    Hash b = request("b");
    Hash c = request("c");
    FeeAuthorisation later = authorise(USER, EXECUTOR.address(), 9, REQUEST_FEE, LIMIT, a);
    FeeAuthorisation earlier = authorise(USER, EXECUTOR.address(), 3, REQUEST_FEE, LIMIT, b);
    submit(receipt(a, model, Optional.empty(), datanet, scores(p1, 1_000_000), later));
    submit(receipt(b, model, Optional.empty(), datanet, scores(p1, 1_000_000), earlier));
    FeeAuthorisationNonces nonces = chain.ledger().feeAuthorisations(USER.address()).orElseThrow();
    assertThat(nonces.highest()).isEqualTo(9);
    assertThat(nonces.spent()).isEqualTo(REQUEST_FEE.multiply(BigInteger.TWO));

    FeeAuthorisation again = authorise(USER, EXECUTOR.address(), 3, REQUEST_FEE, LIMIT, c);
    assertRefused(submitOne(c, again), "receipt 0: authorisation nonce 3 was already used");
    FeeAuthorisation far = authorise(USER, EXECUTOR.address(), 300, REQUEST_FEE, LIMIT, c);
    submit(receipt(c, model, Optional.empty(), datanet, scores(p1, 1_000_000), far));
    FeeAuthorisation old = authorise(USER, EXECUTOR.address(), 10, REQUEST_FEE, LIMIT, a);
    assertRefused(
        submitOne(a, old),
        "receipt 0: authorisation nonce 10 is more than 256 below the user's highest used nonce"
            + " 300: sign the request again with a fresh nonce");
  }

  // ---- refused fee authorisations ------------------------------------------------------------

  @Test
  void forgedReusedAndOverLimitAuthorisationsAreRefusedAndNothingMoves() {
    Hash r = request("forged");
    String unsigned =
        "receipt 0: fee authorisation is not signed by its user "
            + USER.address()
            + ": the user must sign this chain id, executor, nonce, fee, fee limit and request"
            + " hash";
    // Signed by someone else, claiming to be the user.
    FeeAuthorisation byOther =
        authorise(USER_2, EXECUTOR.address(), 0, OPEN, LIMIT, r).toBuilder()
            .setUser(ByteString.copyFrom(USER.address().toArray()))
            .build();
    assertRefused(submitOne(r, byOther), unsigned);
    // The user's signature, but the executor raised the fee.
    FeeAuthorisation raised =
        authorise(USER, EXECUTOR.address(), 0, OPEN, LIMIT, r).toBuilder()
            .setFee(ByteString.copyFrom(io.ascribe.core.types.Amount.encode(open("2"))))
            .build();
    assertRefused(submitOne(r, raised), unsigned);
    // Signed for another executor.
    FeeAuthorisation elsewhere = authorise(USER, VERIFIER.address(), 0, OPEN, LIMIT, r);
    assertRefused(submitOne(r, elsewhere), unsigned);
    // Signed for another request.
    FeeAuthorisation otherRequest =
        authorise(USER, EXECUTOR.address(), 0, OPEN, LIMIT, request("x"));
    assertRefused(submitOne(r, otherRequest), unsigned);
    // A signature that is not one.
    FeeAuthorisation garbage =
        authorise(USER, EXECUTOR.address(), 0, OPEN, LIMIT, r).toBuilder()
            .setSignature(ByteString.copyFrom(new byte[12]))
            .build();
    assertRefused(
        submitOne(r, garbage),
        "receipt 0: fee authorisation signature is malformed: a signature is 65 bytes, got 12");

    // Reused: once in an earlier batch, once twice in one batch (the second copy fails and the
    // first is not kept either).
    FeeAuthorisation once = authorise(USER, EXECUTOR.address(), 0, OPEN, LIMIT, r);
    InferenceReceipt paid =
        receipt(r, model, Optional.empty(), datanet, scores(p1, 1_000_000), once);
    submit(paid);
    assertRefused(
        chain.submit(EXECUTOR, List.of(paid)), "receipt 0: authorisation nonce 0 was already used");
    Hash s = request("twice");
    InferenceReceipt twice =
        receipt(
            s,
            model,
            Optional.empty(),
            datanet,
            scores(p1, 1_000_000),
            authorise(USER, EXECUTOR.address(), 1, OPEN, LIMIT, s));
    assertRefused(
        chain.submit(EXECUTOR, List.of(twice, twice)),
        "receipt 1: authorisation nonce 1 was already used");

    // Over the limit: the user has spent 1 OPEN and authorises at most 1.5 in all.
    FeeAuthorisation over = authorise(USER, EXECUTOR.address(), 2, OPEN, open("1.5"), s);
    assertRefused(
        submitOne(s, over),
        "receipt 0: fee 1 OPEN would bring user "
            + USER.address()
            + "'s inference spending to 2 OPEN, over the limit of 1.5 OPEN it authorised");

    // Below the minimum request fee, and more than the user's balance.
    FeeAuthorisation cheap =
        authorise(USER, EXECUTOR.address(), 2, REQUEST_FEE.subtract(BigInteger.ONE), LIMIT, s);
    assertRefused(
        submitOne(s, cheap),
        "receipt 0: fee 0.009999999999999999 OPEN is below the minimum request fee 0.01 OPEN");
    FeeAuthorisation broke = authorise(POOR, EXECUTOR.address(), 0, OPEN, LIMIT, s);
    assertRefused(
        submitOne(s, broke),
        "receipt 0: user " + POOR.address() + "'s balance 0.001 OPEN cannot pay the fee 1 OPEN");
  }

  // ---- refused scores, models and batches ----------------------------------------------------

  @Test
  void scoresOutsideToleranceOrOutsideTheDatanetAreRefused() {
    Hash r = request("scores");
    java.util.function.Function<Map<Hash, Long>, SignedTransaction> with =
        s ->
            chain.submit(
                EXECUTOR,
                List.of(
                    receipt(
                        r,
                        model,
                        Optional.empty(),
                        datanet,
                        s,
                        authorise(USER, EXECUTOR.address(), 0, OPEN, LIMIT, r))));
    assertRefused(
        with.apply(scores(p1, 600_000, q1, 389_999)),
        "receipt 0: positive attribution scores sum to 989999 ppm: they must sum to 1000000 ppm"
            + " within 10000 ppm");
    assertRefused(
        with.apply(scores(p1, 600_000, q1, 410_001, p2, -500_000)),
        "receipt 0: positive attribution scores sum to 1010001 ppm: they must sum to 1000000 ppm"
            + " within 10000 ppm");
    assertRefused(
        with.apply(scores(p1, 1_000_000, foreign, 0)),
        "receipt 0: contribution "
            + foreign
            + " is in datanet "
            + otherDatanet
            + ", not datanet "
            + datanet);
    Hash unknown = Keccak.hash(new byte[] {7});
    assertRefused(
        with.apply(scores(p1, 1_000_000, unknown, 0)),
        "receipt 0: unknown contribution " + unknown);
    assertRefused(
        with.apply(scores(p1, 2_000_000, q1, -1_000_000)),
        "receipt 0: score 2000000 ppm of contribution "
            + p1
            + " is outside [-1000000, 1000000] ppm");
    assertRefused(
        with.apply(scores()),
        "receipt 0: a receipt must score at least one retrieved contribution");
    Map<Hash, Long> many = new LinkedHashMap<>();
    for (int i = 0; i < 33; i++) {
      many.put(Keccak.hash(new byte[] {(byte) i}), 0L);
    }
    assertRefused(with.apply(many), "receipt 0: a receipt scores at most 32 contributions, got 33");

    // A withdrawn contribution no longer earns.
    chain.advanceTo(chain.contributionOf(q1).height() + 5);
    chain.ok(chain.tx(Q, n -> TxBodies.withdrawContribution(CHAIN_ID, n, TX_FEE, q1)));
    assertRefused(
        with.apply(scores(p1, 500_000, q1, 500_000)),
        "receipt 0: contribution " + q1 + " is withdrawn: only active contributions can be scored");
  }

  @Test
  void unknownModelsAdaptersAndDatanetsAreRefused() {
    Hash r = request("unknown");
    Hash nothing = Keccak.hash(new byte[] {42});
    FeeAuthorisation auth = authorise(USER, EXECUTOR.address(), 0, OPEN, LIMIT, r);
    assertRefused(
        chain.submit(
            EXECUTOR,
            List.of(receipt(r, nothing, Optional.empty(), datanet, scores(p1, 1_000_000), auth))),
        "receipt 0: unknown model " + nothing);
    assertRefused(
        chain.submit(
            EXECUTOR,
            List.of(receipt(r, model, Optional.of(nothing), datanet, scores(p1, 1_000_000), auth))),
        "receipt 0: unknown adapter " + nothing);
    Hash otherModel = chain.registerModel(Q);
    Hash foreignAdapter = chain.tuneAdapter(TUNER, otherModel, otherDatanet);
    assertRefused(
        chain.submit(
            EXECUTOR,
            List.of(
                receipt(
                    r, model, Optional.of(foreignAdapter), datanet, scores(p1, 1_000_000), auth))),
        "receipt 0: adapter "
            + foreignAdapter
            + " was tuned from model "
            + otherModel
            + ", not the receipt's model "
            + model);
    assertRefused(
        chain.submit(
            EXECUTOR,
            List.of(receipt(r, model, Optional.empty(), nothing, scores(p1, 1_000_000), auth))),
        "receipt 0: unknown datanet " + nothing);
  }

  @Test
  void batchesFromNonCapableAccountsAndEmptyOrOversizedBatchesAreRefused() {
    InferenceReceipt valid = plain(USER, OPEN, "fine");
    assertRefused(
        chain.submit(USER, List.of(valid)),
        USER.address()
            + " has not declared the inference capability: only validators that did,"
            + " with the executor bond, may post inference receipts");
    // A declared account must also be a validator: OUTSIDER joins the set, declares, and leaves
    // by unstaking everything, which keeps its capability active (it may still be slashed).
    chain.ok(chain.tx(OUTSIDER, n -> TxBodies.stake(CHAIN_ID, n, TX_FEE, EXECUTOR_BOND)));
    chain.advanceTo(chain.height() + 3);
    chain.declare(OUTSIDER);
    chain.ok(chain.tx(OUTSIDER, n -> TxBodies.unstake(CHAIN_ID, n, TX_FEE, EXECUTOR_BOND)));
    chain.advanceTo(chain.height() + 3);
    assertThat(chain.ledger().system().validators().find(OUTSIDER.address())).isEmpty();
    assertThat(chain.capabilityBond(OUTSIDER.address())).isEqualTo(EXECUTOR_BOND);
    assertRefused(
        chain.submit(OUTSIDER, List.of(valid)),
        OUTSIDER.address()
            + " is not a validator: only validators that declared the inference"
            + " capability may post inference receipts");
    assertRefused(
        chain.submit(EXECUTOR, List.of()), "a receipt batch must hold at least one receipt");
    List<InferenceReceipt> many = new ArrayList<>();
    for (int i = 0; i < 65; i++) {
      many.add(plain(USER, REQUEST_FEE, "q" + i));
    }
    assertRefused(
        chain.submit(EXECUTOR, many),
        "a receipt batch holds at most 64 receipts, got 65: post them in several batches");
    // A bad receipt deep in a batch names itself, and the good ones before it are not kept.
    List<InferenceReceipt> mixed = new ArrayList<>(many.subList(0, 5));
    Hash r = request("bad");
    mixed.add(
        receipt(r, model, Optional.empty(), datanet, scores(p1, 10), pay(USER, REQUEST_FEE, r)));
    assertRefused(
        chain.submit(EXECUTOR, mixed),
        "receipt 5: positive attribution scores sum to 10 ppm: they must sum to 1000000 ppm"
            + " within 10000 ppm");
  }

  // ---- challenges ----------------------------------------------------------------------------

  @Test
  void anUpheldChallengeRefundsTheUserSlashesTheExecutorAndPaysTheVerifiers() {
    BigInteger userBefore = chain.ledger().account(USER.address()).balance();
    Hash id = submit(plain(USER, OPEN, "inflated"), plain(USER_2, OPEN, "honest"));
    long included = chain.height();
    BigInteger stake = chain.ledger().account(EXECUTOR.address()).stake();
    assertThat(chain.capabilityBond(EXECUTOR.address())).isEqualTo(EXECUTOR_BOND);

    Hash output = batch(id).receipts().get(0).outputHash();
    chain.ok(chain.challenge(VERIFIER, id, 0, scores(p1, 900_000, q1, 100_000), output));
    Hash challengeId = chain.lastObjectId("receipt-challenge", VERIFIER);
    ReceiptChallenge open = chain.ledger().receiptChallenge(challengeId).orElseThrow();
    assertThat(open.status()).isEqualTo(ReceiptChallenge.Status.OPEN);
    assertThat(open.deadline()).isEqualTo(chain.height() + WINDOW);
    assertThat(batch(id).receipts().get(0).status()).isEqualTo(ReceiptRecord.Status.CHALLENGED);
    assertThat(chain.ledger().system().held().total()).isEqualTo(open("2").add(EXECUTOR_BOND));
    chain.assertSupplyInvariant();

    // Two of the two eligible voters (the executor and the challenger are parties): the first
    // vote is half the power, not a majority; the second decides.
    chain.ok(chain.vote(VOTER_1, challengeId, true));
    assertThat(chain.ledger().receiptChallenge(challengeId).orElseThrow().status())
        .isEqualTo(ReceiptChallenge.Status.OPEN);
    Map<Address, BigInteger> before = rewardsOf(VERIFIER.address(), VOTER_1.address());
    BigInteger verifierBalance = chain.ledger().account(VERIFIER.address()).balance();
    chain.ok(chain.vote(VOTER_2, challengeId, true));

    ReceiptChallenge upheld = chain.ledger().receiptChallenge(challengeId).orElseThrow();
    assertThat(upheld.status()).isEqualTo(ReceiptChallenge.Status.UPHELD);
    // Half of a full capability bond comes out of the bond; the validator stake is not touched.
    BigInteger slashed = EXECUTOR_BOND.divide(BigInteger.TWO);
    assertThat(upheld.decidedHeight()).isEqualTo(chain.height());
    assertThat(upheld.height()).isEqualTo(open.height());
    assertThat(upheld.slashed()).isEqualTo(slashed);
    assertThat(chain.capabilityBond(EXECUTOR.address())).isEqualTo(EXECUTOR_BOND.subtract(slashed));
    assertThat(chain.ledger().account(EXECUTOR.address()).stake()).isEqualTo(stake);
    // With half a bond it serves no more receipts until it tops the bond up.
    assertThat(chain.capable(EXECUTOR.address())).isFalse();
    assertThat(chain.ledger().account(USER.address()).balance()).isEqualTo(userBefore);
    assertThat(chain.ledger().account(VERIFIER.address()).balance())
        .isEqualTo(verifierBalance.add(EXECUTOR_BOND));
    assertThat(gained(before, VERIFIER.address())).isEqualTo(slashed.divide(BigInteger.TWO));
    assertThat(batch(id).receipts().get(0).status()).isEqualTo(ReceiptRecord.Status.VOIDED);
    assertThat(batch(id).verifiers())
        .containsExactlyInAnyOrder(VERIFIER.address(), VOTER_1.address(), VOTER_2.address());
    assertThat(chain.ledger().system().held().total()).isEqualTo(OPEN);
    chain.assertSupplyInvariant();

    // At settlement the standing receipt pays its verifiers' 10% to the three who were right.
    chain.advanceTo(included + WINDOW);
    before = rewardsOf(VERIFIER.address(), VOTER_1.address(), P.address());
    chain.commit();
    // The validators' share is by power, which the slash of the capability bond left as it was.
    BigInteger power = chain.ledger().system().validators().totalPower();
    assertThat(power).isEqualTo(InferenceChain.VALIDATOR_STAKE.multiply(BigInteger.valueOf(4)));
    BigInteger validatorShare = open("0.1").multiply(InferenceChain.VALIDATOR_STAKE).divide(power);
    BigInteger verifierShare = open("0.1").divide(BigInteger.valueOf(3));
    assertThat(gained(before, VOTER_1.address())).isEqualTo(validatorShare.add(verifierShare));
    assertThat(gained(before, P.address())).isEqualTo(open("0.2"));
    assertThat(batch(id).receipts())
        .extracting(ReceiptRecord::status)
        .containsExactly(ReceiptRecord.Status.VOIDED, ReceiptRecord.Status.PAID);
    assertThat(chain.ledger().system().held()).isEqualTo(HeldPayouts.NONE);
    chain.assertSupplyInvariant();
  }

  @Test
  void aRejectedChallengeSlashesTheChallengersBondAndTheReceiptIsPaid() {
    Hash id = submit(plain(USER, OPEN, "right"));
    long included = chain.height();
    BigInteger verifierBalance = chain.ledger().account(VERIFIER.address()).balance();
    Hash output = Keccak.hash(new byte[] {1});
    chain.ok(chain.challenge(VERIFIER, id, 0, scores(p1, 500_000, q1, 500_000), output));
    Hash challengeId = chain.lastObjectId("receipt-challenge", VERIFIER);
    Map<Address, BigInteger> before = rewardsOf(EXECUTOR.address());
    chain.ok(chain.vote(VOTER_1, challengeId, false));
    chain.ok(chain.vote(VOTER_2, challengeId, false));

    ReceiptChallenge rejected = chain.ledger().receiptChallenge(challengeId).orElseThrow();
    assertThat(rejected.status()).isEqualTo(ReceiptChallenge.Status.REJECTED);
    BigInteger slashed = EXECUTOR_BOND.divide(BigInteger.TWO);
    assertThat(rejected.decidedHeight()).isEqualTo(chain.height());
    assertThat(rejected.slashed()).isEqualTo(slashed);
    assertThat(chain.ledger().account(VERIFIER.address()).balance())
        .isEqualTo(verifierBalance.subtract(TX_FEE).subtract(slashed));
    // The executor proposes every block, so its reward also grows by the voters' fee shares.
    BigInteger proposerFees = TX_FEE.multiply(BigInteger.valueOf(8)).divide(BigInteger.TEN);
    assertThat(gained(before, EXECUTOR.address()))
        .isEqualTo(slashed.divide(BigInteger.TWO).add(proposerFees.multiply(BigInteger.TWO)));
    assertThat(batch(id).receipts().get(0).status()).isEqualTo(ReceiptRecord.Status.HELD);
    assertThat(batch(id).verifiers())
        .containsExactly(
            Collections.min(List.of(VOTER_1.address(), VOTER_2.address())),
            Collections.max(List.of(VOTER_1.address(), VOTER_2.address())));
    chain.assertSupplyInvariant();

    chain.advanceTo(included + WINDOW);
    before = rewardsOf(VOTER_1.address(), VERIFIER.address());
    chain.commit();
    assertThat(batch(id).receipts().get(0).status()).isEqualTo(ReceiptRecord.Status.PAID);
    BigInteger validatorShare = open("0.1").divide(BigInteger.valueOf(4));
    assertThat(gained(before, VOTER_1.address()))
        .isEqualTo(validatorShare.add(open("0.1").divide(BigInteger.TWO)));
    assertThat(gained(before, VERIFIER.address())).isEqualTo(validatorShare);
    chain.assertSupplyInvariant();
  }

  @Test
  void aChallengeWithoutAMajorityExpiresReturnsTheBondAndDelaysSettlement() {
    Hash id = submit(plain(USER, OPEN, "contested"));
    long included = chain.height();
    chain.advanceTo(included + WINDOW - 1);
    BigInteger verifierBalance = chain.ledger().account(VERIFIER.address()).balance();
    chain.ok(chain.challenge(VERIFIER, id, 0, scores(p1, 1_000_000), Keccak.hash(new byte[] {2})));
    long challengedAt = chain.height();
    Hash challengeId = chain.lastObjectId("receipt-challenge", VERIFIER);
    chain.ok(chain.vote(VOTER_1, challengeId, true));
    chain.ok(chain.vote(VOTER_2, challengeId, false));

    // The window has closed, but the batch waits for its open challenge's deadline.
    chain.advanceTo(included + WINDOW + 1);
    assertThat(batch(id).status()).isEqualTo(InferenceBatch.Status.HELD);
    assertThat(batch(id).settleHeight()).isEqualTo(challengedAt + WINDOW + 1);
    chain.advanceTo(challengedAt + WINDOW + 1);

    ReceiptChallenge expired = chain.ledger().receiptChallenge(challengeId).orElseThrow();
    assertThat(expired.status()).isEqualTo(ReceiptChallenge.Status.EXPIRED);
    assertThat(expired.decidedHeight()).isEqualTo(challengedAt + WINDOW + 1);
    assertThat(expired.slashed()).isZero();
    assertThat(chain.ledger().account(VERIFIER.address()).balance())
        .isEqualTo(verifierBalance.subtract(TX_FEE));
    assertThat(batch(id).status()).isEqualTo(InferenceBatch.Status.SETTLED);
    assertThat(batch(id).receipts().get(0).status()).isEqualTo(ReceiptRecord.Status.PAID);
    assertThat(batch(id).verifiers()).isEmpty();
    assertThat(chain.ledger().system().held()).isEqualTo(HeldPayouts.NONE);
    chain.assertSupplyInvariant();
  }

  @Test
  void lateUnqualifiedAndPointlessChallengesAndVotesAreRefused() {
    Hash id = submit(plain(USER, OPEN, "checked"));
    Map<Hash, Long> other = scores(p1, 1_000_000);
    Hash output = batch(id).receipts().get(0).outputHash();

    assertRefused(
        chain.challenge(USER, id, 0, other, output),
        USER.address()
            + " has not declared the inference capability: only validators that did,"
            + " with the executor bond, may challenge receipts");
    assertRefused(
        chain.challenge(EXECUTOR, id, 0, other, output),
        "an executor cannot challenge its own receipts");
    assertRefused(
        chain.challenge(VERIFIER, id, 1, other, output),
        "batch " + id + " has 1 receipts: no receipt 1");
    Hash unknown = Keccak.hash(new byte[] {3});
    assertRefused(
        chain.challenge(VERIFIER, unknown, 0, other, output), "unknown receipt batch " + unknown);
    assertRefused(
        chain.challenge(VERIFIER, id, 0, scores(p1, 500_000, q1, 500_000), output),
        "the challenge's figures agree with the receipt: there is nothing to challenge");
    assertRefused(
        chain.challenge(VERIFIER, id, 0, scores(p1, 10), output),
        "positive attribution scores sum to 10 ppm: they must sum to 1000000 ppm within 10000 ppm");
    assertRefused(
        chain.tx(
            VERIFIER,
            n ->
                TxBodies.challengeReceipt(
                    CHAIN_ID,
                    n,
                    TX_FEE,
                    id,
                    0,
                    List.of(TxBodies.attributionScore(p1, 1_000_000)),
                    output,
                    EXECUTOR_BOND.subtract(BigInteger.ONE))),
        "challenge bond 999.999999999999999999 OPEN is below the executor bond 1000 OPEN a"
            + " challenge must match");

    chain.ok(chain.challenge(VERIFIER, id, 0, other, output));
    Hash challengeId = chain.lastObjectId("receipt-challenge", VERIFIER);
    assertRefused(
        chain.challenge(VOTER_1, id, 0, other, output),
        "receipt 0 of batch " + id + " was already challenged (" + challengeId + ")");
    assertRefused(
        chain.vote(EXECUTOR, challengeId, false),
        "the executor and the challenger cannot vote on their own challenge");
    assertRefused(
        chain.vote(VERIFIER, challengeId, true),
        "the executor and the challenger cannot vote on their own challenge");
    assertRefused(
        chain.vote(USER, challengeId, true),
        USER.address()
            + " has not declared the inference capability: only validators that did,"
            + " with the executor bond, may vote on challenges");
    chain.ok(chain.vote(VOTER_1, challengeId, true));
    assertRefused(
        chain.vote(VOTER_1, challengeId, false),
        VOTER_1.address() + " already voted on challenge " + challengeId);
    assertRefused(chain.vote(VOTER_1, unknown, false), "unknown challenge " + unknown);
    chain.ok(chain.vote(VOTER_2, challengeId, true));
    assertRefused(
        chain.vote(VOTER_2, challengeId, true),
        "challenge " + challengeId + " is already decided (upheld)");

    // The upheld challenge took half of the executor's capability bond, so it serves no receipt
    // until it declares again, which tops the bond back up to a full one.
    assertThat(chain.capable(EXECUTOR.address())).isFalse();
    chain.declare(EXECUTOR);
    assertThat(chain.capabilityBond(EXECUTOR.address())).isEqualTo(EXECUTOR_BOND);

    // After the window no receipt of the batch can be challenged; the block that refuses the
    // challenge is the one whose start pays the batch out.
    Hash late = submit(plain(USER_2, OPEN, "late"));
    chain.advanceTo(chain.height() + WINDOW);
    BigInteger verifierBalance = chain.ledger().account(VERIFIER.address()).balance();
    assertThat(chain.run(chain.challenge(VERIFIER, late, 0, other, output)).error())
        .isEqualTo(
            "the challenge window of batch "
                + late
                + " closed at height "
                + (chain.height() - 1)
                + ", now "
                + chain.height());
    assertThat(chain.ledger().account(VERIFIER.address()).balance())
        .isEqualTo(verifierBalance.subtract(TX_FEE));
    assertThat(batch(late).receipts().get(0).status()).isEqualTo(ReceiptRecord.Status.PAID);
    chain.assertSupplyInvariant();
  }

  @Test
  void votingClosesAtTheChallengesDeadlineEvenWhileAnotherChallengeKeepsTheBatchOpen() {
    Hash id = submit(plain(USER, OPEN, "slow"), plain(USER_2, OPEN, "slower"));
    chain.ok(chain.challenge(VERIFIER, id, 0, scores(p1, 1_000_000), Hash.ZERO));
    Hash first = chain.lastObjectId("receipt-challenge", VERIFIER);
    chain.commit();
    chain.ok(chain.challenge(VERIFIER, id, 1, scores(p1, 1_000_000), Hash.ZERO));
    Hash second = chain.lastObjectId("receipt-challenge", VERIFIER);
    long deadline = chain.ledger().receiptChallenge(first).orElseThrow().deadline();
    chain.advanceTo(deadline);
    assertRefused(
        chain.vote(VOTER_1, first, true),
        "voting on challenge "
            + first
            + " closed at height "
            + deadline
            + ", now "
            + (deadline + 1));
    // Both expire when the later deadline has passed, and the batch settles then.
    long last = chain.ledger().receiptChallenge(second).orElseThrow().deadline();
    chain.advanceTo(last + 1);
    assertThat(chain.ledger().receiptChallenge(first).orElseThrow().status())
        .isEqualTo(ReceiptChallenge.Status.EXPIRED);
    assertThat(chain.ledger().receiptChallenge(second).orElseThrow().status())
        .isEqualTo(ReceiptChallenge.Status.EXPIRED);
    assertThat(batch(id).status()).isEqualTo(InferenceBatch.Status.SETTLED);
    chain.assertSupplyInvariant();
  }

  @Test
  void aVerifierThatNeverChallengesEarnsNoMoreThanAValidatorThatCannotVerify() {
    // VOTER_1 declared the capability; OUTSIDER is a validator with the same stake that did not.
    chain.ok(
        chain.tx(
            OUTSIDER, n -> TxBodies.stake(CHAIN_ID, n, TX_FEE, InferenceChain.VALIDATOR_STAKE)));
    chain.advanceTo(chain.height() + 3);
    assertThat(chain.ledger().system().validators().find(OUTSIDER.address())).isPresent();
    Map<Address, BigInteger> before = rewardsOf(VOTER_1.address(), OUTSIDER.address());
    for (int i = 0; i < 5; i++) {
      submit(plain(USER, OPEN, "round " + i));
    }
    chain.advanceTo(chain.height() + WINDOW + 1);
    assertThat(gained(before, VOTER_1.address()))
        .isPositive()
        .isEqualTo(gained(before, OUTSIDER.address()));
    chain.assertSupplyInvariant();
  }

  // ---- persistence ---------------------------------------------------------------------------

  @Test
  void restartKeepsBatchesChallengesNoncesAndTheReleaseScheduleUnderTheSameRoot() {
    Hash id = submit(plain(USER, OPEN, "persist"), plain(USER_2, OPEN, "persist too"));
    chain.ok(chain.challenge(VERIFIER, id, 1, scores(p1, 1_000_000), Hash.ZERO));
    Hash challengeId = chain.lastObjectId("receipt-challenge", VERIFIER);
    Hash root = Hash.copyOf(chain.ledger().headHeader().getStateRoot().toByteArray());
    InferenceBatch stored = batch(id);
    SystemState system = chain.ledger().system();

    chain.restart();

    assertThat(Hash.copyOf(chain.ledger().headHeader().getStateRoot().toByteArray()))
        .isEqualTo(root);
    assertThat(batch(id)).isEqualTo(stored);
    assertThat(chain.ledger().receiptChallenge(challengeId)).isPresent();
    assertThat(chain.ledger().feeAuthorisations(USER.address())).isPresent();
    assertThat(chain.ledger().system()).isEqualTo(system);
    assertThat(chain.ledger().inferenceBatches(BatchFilter.ALL, 0, 10).items())
        .containsExactly(stored);
    chain.ok(chain.vote(VOTER_1, challengeId, false));
    chain.ok(chain.vote(VOTER_2, challengeId, false));
    ReceiptChallenge decided = chain.ledger().receiptChallenge(challengeId).orElseThrow();
    chain.advanceTo(stored.settleHeight());
    assertThat(batch(id).status()).isEqualTo(InferenceBatch.Status.SETTLED);
    chain.assertSupplyInvariant();

    // What settlement and the decision recorded survives a restart too, under the same root.
    root = Hash.copyOf(chain.ledger().headHeader().getStateRoot().toByteArray());
    InferenceBatch settled = batch(id);
    assertThat(settled.receipts().get(1).shares()).isNotEmpty();
    chain.restart();
    assertThat(Hash.copyOf(chain.ledger().headHeader().getStateRoot().toByteArray()))
        .isEqualTo(root);
    assertThat(batch(id)).isEqualTo(settled);
    assertThat(chain.ledger().receiptChallenge(challengeId)).contains(decided);
  }
}
