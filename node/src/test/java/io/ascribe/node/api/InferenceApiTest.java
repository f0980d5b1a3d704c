package io.ascribe.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.AttributionScore;
import io.ascribe.core.proto.InferenceReceipt;
import io.ascribe.core.state.AnchoredObjectProof;
import io.ascribe.core.state.ObjectProofJson;
import io.ascribe.core.tx.FeeAuthorisation;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.exec.TxExecutor;
import io.ascribe.node.rpc.RpcException;
import io.ascribe.node.rpc.RpcRegistry;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference methods against a real ledger: three capable validators, one of them the executor
 * posting a user's receipts under signed fee authorisations; the batch read, listed, challenged,
 * decided and settled, with the attribution of each end and the errors callers see.
 */
class InferenceApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<PrivateKey> DEV = CapableChain.DEV;
  private static final Genesis GENESIS = CapableChain.GENESIS;
  private static final long WINDOW = GENESIS.params().ai().inference().challengeWindowBlocks();
  private static final BigInteger FEE = GENESIS.params().minFee();
  private static final BigInteger OPEN = Amount.ONE_OPEN;
  private static final BigInteger BOND = GENESIS.params().ai().jobs().executorBond();
  private static final PrivateKey EXECUTOR = DEV.get(0);
  private static final PrivateKey CHALLENGER = DEV.get(1);
  private static final PrivateKey VOTER = DEV.get(2);
  private static final PrivateKey OWNER = DEV.get(3);
  private static final PrivateKey CONTRIBUTOR = DEV.get(4);
  private static final PrivateKey USER = DEV.get(5);

  @TempDir Path dir;
  private Ledger ledger;
  private final RpcRegistry registry = new RpcRegistry();
  private long authNonce;
  private CapableChain chain;
  private Hash model;
  private Hash datanet;
  private final List<Hash> contributions = new ArrayList<>();

  @BeforeEach
  void open() {
    chain = new CapableChain(dir, OWNER);
    ledger = chain.ledger;
    model = chain.model;
    datanet = chain.datanet;
    new InferenceApi(ledger).register(registry);
    new JobApi(ledger).register(registry);
    List<SignedTransaction> contribute = new ArrayList<>();
    // The owner contributes too, so that one receipt pays two contributors.
    for (int i = 0; i < 3; i++) {
      PrivateKey from = i < 2 ? CONTRIBUTOR : OWNER;
      contributions.add(
          TxExecutor.objectId("contribution", from.address(), chain.nonce(from.address())));
      long[] minHash = new long[MinHash.SLOTS];
      for (int s = 0; s < minHash.length; s++) {
        minHash[s] = 1_000L * i + s;
      }
      Hash content = Keccak.hash(ByteBuffer.allocate(4).putInt(i).array());
      contribute.add(
          chain.sign(
              from,
              n ->
                  TxBodies.contribute(
                      GENESIS.chainId(), n, FEE, datanet, content, 10, minHash, OPEN)));
    }
    chain.commit(contribute);
  }

  @AfterEach
  void close() {
    chain.close();
  }

  private static List<AttributionScore> scores(Map<Hash, Long> ppm) {
    return ppm.entrySet().stream()
        .map(e -> TxBodies.attributionScore(e.getKey(), e.getValue()))
        .toList();
  }

  /** A receipt for {@code question} paying {@code fee} under the user's next nonce. */
  private InferenceReceipt receipt(String question, BigInteger fee, Map<Hash, Long> ppm) {
    Hash request = Keccak.hash(question.getBytes(StandardCharsets.UTF_8));
    var authorisation =
        new FeeAuthorisation(
                GENESIS.chainId(),
                USER.address(),
                EXECUTOR.address(),
                authNonce++,
                fee,
                OPEN.multiply(BigInteger.valueOf(100)),
                request)
            .signed(USER);
    return TxBodies.inferenceReceipt(
        request,
        model,
        Optional.empty(),
        datanet,
        scores(ppm),
        Keccak.hash(request.toArray()),
        authorisation);
  }

  /** Posts the receipts as one batch by the executor; returns the batch id. */
  private Hash post(InferenceReceipt... receipts) {
    Hash id =
        TxExecutor.objectId("inference-batch", EXECUTOR.address(), chain.nonce(EXECUTOR.address()));
    chain.run(
        EXECUTOR,
        n -> TxBodies.submitInferenceReceipts(GENESIS.chainId(), n, FEE, List.of(receipts)));
    return id;
  }

  private Hash challenge(Hash batch, int index, Map<Hash, Long> ppm, Hash output) {
    Hash id =
        TxExecutor.objectId(
            "receipt-challenge", CHALLENGER.address(), chain.nonce(CHALLENGER.address()));
    chain.run(
        CHALLENGER,
        n ->
            TxBodies.challengeReceipt(
                GENESIS.chainId(), n, FEE, batch, index, scores(ppm), output, BOND));
    return id;
  }

  private Map<Hash, Long> ppm(Object... idAndPpm) {
    Map<Hash, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < idAndPpm.length; i += 2) {
      out.put(contributions.get((Integer) idAndPpm[i]), ((Number) idAndPpm[i + 1]).longValue());
    }
    return out;
  }

  private JsonNode call(String method, Object... params) {
    return registry.find(method).orElseThrow().call(JSON.valueToTree(params));
  }

  private static long quantity(JsonNode node) {
    return Quantities.parseLong(node.asText());
  }

  private static BigInteger wei(JsonNode node) {
    return Quantities.parse(node.asText());
  }

  private BigInteger executorBond() {
    return ledger.capability(EXECUTOR.address()).orElseThrow().bond();
  }

  private static void assertError(int code, String message, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessage(message);
  }

  /** Each share's (account, role) to its amount, for assertions that ignore address order. */
  private static Map<String, BigInteger> byAccountAndRole(JsonNode shares) {
    Map<String, BigInteger> out = new HashMap<>();
    shares.forEach(
        s ->
            out.put(
                s.path("account").asText() + "/" + s.path("role").asText(), wei(s.path("amount"))));
    return out;
  }

  @Test
  void aBatchShowsEveryReceiptAsPostedWithAProofAndTheUsersAuthorisations() {
    Hash id =
        post(
            receipt("what is a psalm", OPEN, ppm(0, 600_000, 2, 400_000)),
            receipt("who wrote genesis", OPEN.divide(BigInteger.TWO), ppm(1, 990_000, 2, -20_000)));
    long included = ledger.height();

    JsonNode json = call("ascribe_getInferenceBatch", id.toHex(), true);

    assertThat(json.path("id").asText()).isEqualTo(id.toHex());
    assertThat(json.path("executor").asText()).isEqualTo(EXECUTOR.address().toString());
    assertThat(quantity(json.path("height"))).isEqualTo(included);
    assertThat(quantity(json.path("settleHeight"))).isEqualTo(included + WINDOW + 1);
    assertThat(json.path("status").asText()).isEqualTo("held");
    assertThat(json.path("verifiers")).isEmpty();
    assertThat(json.path("receipts")).hasSize(2);
    JsonNode first = json.path("receipts").get(0);
    assertThat(quantity(first.path("index"))).isZero();
    assertThat(first.path("requestHash").asText())
        .isEqualTo(Keccak.hash("what is a psalm".getBytes(StandardCharsets.UTF_8)).toHex());
    assertThat(first.path("model").asText()).isEqualTo(model.toHex());
    assertThat(first.path("adapter").isNull()).isTrue();
    assertThat(first.path("datanet").asText()).isEqualTo(datanet.toHex());
    assertThat(first.path("scores").get(0).path("contribution").asText())
        .isEqualTo(contributions.get(0).toHex());
    assertThat(first.path("scores").get(0).path("scorePpm").asLong()).isEqualTo(600_000);
    assertThat(first.path("user").asText()).isEqualTo(USER.address().toString());
    assertThat(quantity(first.path("nonce"))).isZero();
    assertThat(wei(first.path("fee"))).isEqualTo(OPEN);
    assertThat(first.path("status").asText()).isEqualTo("held");
    assertThat(first.path("challenge").isNull()).isTrue();
    // Fixed at inclusion: contributors 40% pro rata to positive scores, executor 15%.
    assertThat(byAccountAndRole(first.path("credits")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                CONTRIBUTOR.address() + "/contributor",
                OPEN.multiply(BigInteger.valueOf(24)).divide(BigInteger.valueOf(100)),
                OWNER.address() + "/contributor",
                OPEN.multiply(BigInteger.valueOf(16)).divide(BigInteger.valueOf(100)),
                EXECUTOR.address() + "/executor",
                OPEN.multiply(BigInteger.valueOf(15)).divide(BigInteger.valueOf(100))));
    JsonNode second = json.path("receipts").get(1);
    assertThat(second.path("scores").get(1).path("scorePpm").asLong()).isEqualTo(-20_000);
    assertThat(quantity(second.path("nonce"))).isEqualTo(1);
    AnchoredObjectProof proof = ObjectProofJson.fromJson(json.path("proof"));
    assertThat(proof.proof().verify(chain.stateRoot())).isTrue();
    assertThat(LedgerObject.decode(proof.proof().object().toByteArray()))
        .isEqualTo(ledger.inferenceBatch(id).orElseThrow());
    assertThat(call("ascribe_getInferenceBatch", id.toHex()).has("proof")).isFalse();

    JsonNode auth = call("ascribe_getFeeAuthorisations", USER.address().toString(), true);
    assertThat(auth.path("user").asText()).isEqualTo(USER.address().toString());
    assertThat(quantity(auth.path("highestNonce"))).isEqualTo(1);
    assertThat(auth.path("usedNonces")).extracting(JsonNode::asText).containsExactly("0x1", "0x0");
    assertThat(quantity(auth.path("oldestUsableNonce"))).isZero();
    assertThat(wei(auth.path("spent"))).isEqualTo(OPEN.add(OPEN.divide(BigInteger.TWO)));
    assertThat(ObjectProofJson.fromJson(auth.path("proof")).proof().verify(chain.stateRoot()))
        .isTrue();

    assertError(
        ChainApi.NOT_FOUND,
        "batch "
            + id
            + " is held, not settled: its fees are paid out at the start of block "
            + (included + WINDOW + 1)
            + " (later while a challenge against it is open); follow it with"
            + " ascribe_getInferenceBatch; ask for one receipt of it to see a voided one's"
            + " refund now",
        () -> call("ascribe_getAttribution", id.toHex()));
    assertError(
        ChainApi.NOT_FOUND,
        "receipt 1 of batch "
            + id
            + " is held, not settled: its fees are paid out at the start of block "
            + (included + WINDOW + 1)
            + " (later while a challenge against it is open); follow it with"
            + " ascribe_getInferenceBatch",
        () -> call("ascribe_getAttribution", id.toHex(), "0x1"));
  }

  @Test
  void batchesAreListedByExecutorAndStatusAsTheyAreNow() {
    Hash early = post(receipt("one", OPEN, ppm(0, 1_000_000)));
    chain.advanceTo(ledger.height() + WINDOW);
    Hash late = post(receipt("two", OPEN, ppm(1, 1_000_000)));
    chain.advanceTo(ledger.height() + 1);

    JsonNode all = call("ascribe_listInferenceBatches");
    assertThat(quantity(all.path("total"))).isEqualTo(2);
    assertThat(all.path("nextPage").isNull()).isTrue();
    assertThat(all.path("batches"))
        .extracting(b -> b.path("id").asText())
        .containsExactly(early.toHex(), late.toHex());
    JsonNode settled = call("ascribe_listInferenceBatches", Map.of("status", "settled"), true);
    assertThat(settled.path("batches")).singleElement();
    JsonNode only = settled.path("batches").get(0);
    assertThat(only.path("id").asText()).isEqualTo(early.toHex());
    assertThat(only.path("receipts").get(0).path("status").asText()).isEqualTo("paid");
    assertThat(ObjectProofJson.fromJson(only.path("proof")).proof().verify(chain.stateRoot()))
        .isTrue();
    assertThat(call("ascribe_listInferenceBatches", Map.of("status", "held")).path("batches"))
        .extracting(b -> b.path("id").asText())
        .containsExactly(late.toHex());
    assertThat(
            call("ascribe_listInferenceBatches", Map.of("executor", EXECUTOR.address().toString()))
                .path("batches"))
        .hasSize(2);
    assertThat(
            call(
                    "ascribe_listInferenceBatches",
                    Map.of("executor", CHALLENGER.address().toString()))
                .path("batches"))
        .isEmpty();
    assertThat(call("ascribe_listInferenceBatches", Map.of("page", "0x1")).path("batches"))
        .isEmpty();

    assertError(
        RpcException.INVALID_PARAMS,
        "parameter 0 (filter) field status must be one of held, settled, got \"paid\"",
        () -> call("ascribe_listInferenceBatches", Map.of("status", "paid")));
    assertError(
        RpcException.INVALID_PARAMS,
        "parameter 0 (filter) has an unknown field \"from\": the fields are executor, status,"
            + " page",
        () -> call("ascribe_listInferenceBatches", Map.of("from", "0x1")));
  }

  @Test
  void anUpheldChallengeVoidsItsReceiptAtOnceAndTheOtherIsPaidByRoleAtSettlement() {
    Hash id =
        post(
            receipt("inflated", OPEN, ppm(0, 1_000_000)),
            receipt("honest", OPEN, ppm(1, 500_000, 2, 500_000)));
    long included = ledger.height();
    BigInteger bond = executorBond();
    Hash challengeId = challenge(id, 0, ppm(0, 100_000, 1, 900_000), Keccak.hash(new byte[] {7}));

    JsonNode open = call("ascribe_getReceiptChallenge", challengeId.toHex(), true);
    assertThat(open.path("id").asText()).isEqualTo(challengeId.toHex());
    assertThat(open.path("batch").asText()).isEqualTo(id.toHex());
    assertThat(quantity(open.path("receipt"))).isZero();
    assertThat(open.path("challenger").asText()).isEqualTo(CHALLENGER.address().toString());
    assertThat(wei(open.path("bond"))).isEqualTo(BOND);
    assertThat(open.path("scores").get(1).path("scorePpm").asLong()).isEqualTo(900_000);
    assertThat(open.path("outputHash").asText()).isEqualTo(Keccak.hash(new byte[] {7}).toHex());
    assertThat(quantity(open.path("deadline"))).isEqualTo(ledger.height() + WINDOW);
    assertThat(open.path("status").asText()).isEqualTo("open");
    assertThat(open.path("votes")).isEmpty();
    assertThat(open.path("decidedHeight").isNull()).isTrue();
    assertThat(ObjectProofJson.fromJson(open.path("proof")).proof().verify(chain.stateRoot()))
        .isTrue();
    JsonNode challenged = call("ascribe_getInferenceBatch", id.toHex()).path("receipts").get(0);
    assertThat(challenged.path("status").asText()).isEqualTo("challenged");
    assertThat(challenged.path("challenge").asText()).isEqualTo(challengeId.toHex());
    assertThatThrownBy(() -> call("ascribe_getAttribution", id.toHex(), "0x0"))
        .hasMessageStartingWith(
            "receipt 0 of batch " + id + " is challenged (by challenge " + challengeId + ")");

    // The voter is the only eligible one (executor and challenger are parties): it decides.
    chain.run(VOTER, n -> TxBodies.voteOnChallenge(GENESIS.chainId(), n, FEE, challengeId, true));
    long decided = ledger.height();
    BigInteger slashed = bond.subtract(executorBond());
    assertThat(slashed).isPositive();

    JsonNode upheld = call("ascribe_getReceiptChallenge", challengeId.toHex());
    assertThat(upheld.path("status").asText()).isEqualTo("upheld");
    assertThat(upheld.path("votes"))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.path("voter").asText()).isEqualTo(VOTER.address().toString());
              assertThat(v.path("verdict").asText()).isEqualTo("uphold");
            });
    assertThat(quantity(upheld.path("decidedHeight"))).isEqualTo(decided);
    assertThat(upheld.path("height")).isEqualTo(open.path("height"));
    assertThat(wei(upheld.path("slashed"))).isEqualTo(slashed);
    // Voided before the batch settles: the answer is final already.
    JsonNode voided = call("ascribe_getAttribution", id.toHex(), "0x0", true);
    assertThat(voided.path("batch").asText()).isEqualTo(id.toHex());
    assertThat(voided.path("batchStatus").asText()).isEqualTo("held");
    assertThat(quantity(voided.path("receipt"))).isZero();
    assertThat(voided.path("status").asText()).isEqualTo("voided");
    assertThat(voided.path("challenge").asText()).isEqualTo(challengeId.toHex());
    assertThat(voided.path("challengeStatus").asText()).isEqualTo("upheld");
    assertThat(voided.path("upheldAgainstExecutor").asBoolean()).isTrue();
    assertThat(voided.path("payer").asText()).isEqualTo(USER.address().toString());
    assertThat(wei(voided.path("refunded"))).isEqualTo(OPEN);
    assertThat(wei(voided.path("burned"))).isZero();
    assertThat(voided.path("shares")).isEmpty();
    assertThat(quantity(voided.path("height"))).isEqualTo(decided);
    assertThat(voided.path("slashed"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.path("account").asText()).isEqualTo(EXECUTOR.address().toString());
              assertThat(s.path("role").asText()).isEqualTo("executor");
              assertThat(wei(s.path("amount"))).isEqualTo(slashed);
            });
    AnchoredObjectProof proof = ObjectProofJson.fromJson(voided.path("proof"));
    assertThat(proof.proof().verify(chain.stateRoot())).isTrue();
    assertThat(proof.proof().key()).isEqualTo(InferenceBatch.key(id));

    chain.advanceTo(included + WINDOW + 1);
    JsonNode all = call("ascribe_getAttribution", id.toHex());

    assertThat(all.path("batchStatus").asText()).isEqualTo("settled");
    assertThat(all.path("receipts")).hasSize(2);
    assertThat(all.path("receipts").get(0).path("status").asText()).isEqualTo("voided");
    JsonNode paid = all.path("receipts").get(1);
    assertThat(paid.path("status").asText()).isEqualTo("paid");
    assertThat(paid.path("challenge").isNull()).isTrue();
    assertThat(paid.path("upheldAgainstExecutor").asBoolean()).isFalse();
    assertThat(quantity(paid.path("height"))).isEqualTo(included + WINDOW + 1);
    BigInteger total = wei(paid.path("burned")).add(wei(paid.path("refunded")));
    for (JsonNode share : paid.path("shares")) {
      total = total.add(wei(share.path("amount")));
    }
    assertThat(total).isEqualTo(OPEN);
    assertThat(wei(paid.path("burned"))).isPositive();
    Map<String, BigInteger> shares = byAccountAndRole(paid.path("shares"));
    BigInteger twentieth = OPEN.divide(BigInteger.valueOf(20));
    assertThat(shares)
        .containsEntry(CONTRIBUTOR.address() + "/contributor", OPEN.divide(BigInteger.valueOf(5)))
        .containsEntry(OWNER.address() + "/contributor", OPEN.divide(BigInteger.valueOf(5)))
        .containsEntry(
            EXECUTOR.address() + "/executor",
            OPEN.multiply(BigInteger.valueOf(15)).divide(BigInteger.valueOf(100)))
        // The challenger and the voter were right: they share the verifiers' 10%.
        .containsEntry(CHALLENGER.address() + "/verifier", twentieth)
        .containsEntry(VOTER.address() + "/verifier", twentieth)
        .containsKeys(
            EXECUTOR.address() + "/validator",
            CHALLENGER.address() + "/validator",
            VOTER.address() + "/validator");
    JsonNode contributor =
        java.util.stream.StreamSupport.stream(paid.path("shares").spliterator(), false)
            .filter(s -> s.path("account").asText().equals(CONTRIBUTOR.address().toString()))
            .findFirst()
            .orElseThrow();
    assertThat(contributor.path("contributions"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.path("id").asText()).isEqualTo(contributions.get(1).toHex());
              assertThat(c.path("score").asText()).isEqualTo("0.5");
            });
    JsonNode one = call("ascribe_getAttribution", id.toHex(), "0x1");
    assertThat(one.path("shares")).isEqualTo(paid.path("shares"));
  }

  @Test
  void aRejectedChallengeShowsTheChallengerSlashedBesideThePaidReceipt() {
    Hash id = post(receipt("right", OPEN, ppm(0, 1_000_000)));
    long included = ledger.height();
    Hash challengeId = challenge(id, 0, ppm(1, 1_000_000), Keccak.hash(new byte[] {8}));
    chain.run(VOTER, n -> TxBodies.voteOnChallenge(GENESIS.chainId(), n, FEE, challengeId, false));

    JsonNode rejected = call("ascribe_getReceiptChallenge", challengeId.toHex());
    assertThat(rejected.path("status").asText()).isEqualTo("rejected");
    assertThat(rejected.path("votes").get(0).path("verdict").asText()).isEqualTo("reject");
    BigInteger slashed = wei(rejected.path("slashed"));
    assertThat(slashed)
        .isEqualTo(
            BOND.multiply(BigInteger.valueOf(GENESIS.params().ai().inference().fraudSlashBps()))
                .divide(BigInteger.valueOf(10_000)));
    chain.advanceTo(included + WINDOW + 1);

    JsonNode json = call("ascribe_getAttribution", id.toHex(), "0x0");

    assertThat(json.path("status").asText()).isEqualTo("paid");
    assertThat(json.path("challengeStatus").asText()).isEqualTo("rejected");
    assertThat(json.path("upheldAgainstExecutor").asBoolean()).isFalse();
    assertThat(json.path("slashed"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.path("account").asText()).isEqualTo(CHALLENGER.address().toString());
              assertThat(s.path("role").asText()).isEqualTo("verifier");
              assertThat(wei(s.path("amount"))).isEqualTo(slashed);
            });
    // The voter alone was right: the verifiers' 10% is its own.
    assertThat(byAccountAndRole(json.path("shares")))
        .containsEntry(VOTER.address() + "/verifier", OPEN.divide(BigInteger.TEN))
        .doesNotContainKey(CHALLENGER.address() + "/verifier");
  }

  @Test
  void unknownIdsAndWrongParamsSayWhatToDo() {
    Hash id = post(receipt("one", OPEN, ppm(0, 1_000_000)));
    Hash unknown = Keccak.hash(new byte[] {9});
    Address stranger = DEV.get(9).address();

    assertError(
        ChainApi.NOT_FOUND,
        "no inference batch has the id "
            + unknown
            + ": list them with ascribe_listInferenceBatches",
        () -> call("ascribe_getInferenceBatch", unknown.toHex()));
    assertError(
        ChainApi.NOT_FOUND,
        "no receipt challenge has the id "
            + unknown
            + ": a receipt's challenge id is on it in ascribe_getInferenceBatch",
        () -> call("ascribe_getReceiptChallenge", unknown.toHex()));
    assertError(
        ChainApi.NOT_FOUND,
        stranger
            + " has never paid for an inference request: its first signed fee authorisation may"
            + " use any nonce",
        () -> call("ascribe_getFeeAuthorisations", stranger.toString()));
    assertError(
        ChainApi.NOT_FOUND,
        "no tuning job or inference batch has the id "
            + unknown
            + ": list them with ascribe_listJobs or ascribe_listInferenceBatches",
        () -> call("ascribe_getAttribution", unknown.toHex()));
    assertError(
        ChainApi.NOT_FOUND,
        "batch " + id + " has 1 receipts, no receipt 5: receipts are numbered from 0x0",
        () -> call("ascribe_getAttribution", id.toHex(), "0x5"));
    assertError(
        ChainApi.NOT_FOUND,
        "batch " + id + " has 1 receipts, no receipt 1099511627776: receipts are numbered from 0x0",
        () -> call("ascribe_getAttribution", id.toHex(), "0x10000000000"));

    assertError(
        RpcException.INVALID_PARAMS,
        "parameter 0 (batchId) must be a 32-byte 0x-prefixed hex hash: it has 1 bytes, got"
            + " \"0x12\"",
        () -> call("ascribe_getInferenceBatch", "0x12"));
    assertThatThrownBy(() -> call("ascribe_getInferenceBatch", 5))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcException.INVALID_PARAMS))
        .hasMessageStartingWith("parameter 0 (batchId) must be")
        .hasMessageEndingWith("got the number 5");
    assertError(
        RpcException.INVALID_PARAMS,
        "parameter 1 (withProof) must be true or false, got the string \"yes\"",
        () -> call("ascribe_getInferenceBatch", id.toHex(), "yes"));
    assertError(
        RpcException.INVALID_PARAMS,
        "expected at most 2 params, got 3",
        () -> call("ascribe_getInferenceBatch", id.toHex(), true, true));
    assertThatThrownBy(() -> call("ascribe_getReceiptChallenge", true))
        .hasMessageStartingWith("parameter 0 (challengeId) must be");
    assertThatThrownBy(() -> call("ascribe_getFeeAuthorisations", "alice"))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcException.INVALID_PARAMS))
        .hasMessageStartingWith("parameter 0 (user)");
    assertError(
        RpcException.INVALID_PARAMS,
        "parameter 0 (filter) must be an object, got the string \"held\"",
        () -> call("ascribe_listInferenceBatches", "held"));
    assertThatThrownBy(() -> call("ascribe_getAttribution", id.toHex(), "first"))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcException.INVALID_PARAMS))
        .hasMessageStartingWith("parameter 1 (receiptIndex) must be a hex quantity");
    assertError(
        RpcException.INVALID_PARAMS,
        "parameter 2 (withProof) must be true or false, got the number 1",
        () -> call("ascribe_getAttribution", id.toHex(), "0x0", 1));
    assertError(
        RpcException.INVALID_PARAMS,
        "expected at most 2 params, got 3",
        () -> call("ascribe_getAttribution", id.toHex(), true, true));
  }
}
