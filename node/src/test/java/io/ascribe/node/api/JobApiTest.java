package io.ascribe.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.TuningMethod;
import io.ascribe.core.state.AnchoredObjectProof;
import io.ascribe.core.state.ObjectProofJson;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.EvalSplit;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.exec.TxExecutor;
import io.ascribe.node.rpc.RpcException;
import io.ascribe.node.rpc.RpcRegistry;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tuning-job methods against a real ledger: three capable validators, a job submitted by a
 * fourth account, and the job read, listed, expired and finalised, with the attribution of each end
 * and the errors callers see.
 */
class JobApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<PrivateKey> DEV = CapableChain.DEV;
  private static final Genesis GENESIS = CapableChain.GENESIS;
  private static final BigInteger FEE = GENESIS.params().minFee();
  private static final BigInteger ESCROW = Amount.ONE_OPEN.multiply(BigInteger.TEN);
  private static final PrivateKey SUBMITTER = DEV.get(3);
  private static final PrivateKey CONTRIBUTOR = DEV.get(4);

  @TempDir Path dir;
  private Ledger ledger;
  private final RpcRegistry registry = new RpcRegistry();
  private CapableChain chain;
  private Hash model;
  private Hash datanet;
  private final List<Hash> contributions = new ArrayList<>();

  @BeforeEach
  void open() {
    chain = new CapableChain(dir, SUBMITTER);
    ledger = chain.ledger;
    model = chain.model;
    datanet = chain.datanet;
    new JobApi(ledger).register(registry);
    List<SignedTransaction> contribute = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      contributions.add(TxExecutor.objectId("contribution", CONTRIBUTOR.address(), i));
      long[] minHash = new long[MinHash.SLOTS];
      for (int s = 0; s < minHash.length; s++) {
        minHash[s] = 1_000L * i + s;
      }
      Hash content = Keccak.hash(ByteBuffer.allocate(4).putInt(i).array());
      contribute.add(
          chain.sign(
              CONTRIBUTOR,
              n ->
                  TxBodies.contribute(
                      GENESIS.chainId(), n, FEE, datanet, content, 10, minHash, Amount.ONE_OPEN)));
    }
    chain.commit(contribute);
  }

  @AfterEach
  void close() {
    chain.close();
  }

  /** Submits a LoRA job due in {@code blocks} blocks; returns it as the ledger holds it. */
  private TuningJob submit(long blocks, long seed) {
    Hash id =
        TxExecutor.objectId("tuning-job", SUBMITTER.address(), chain.nonce(SUBMITTER.address()));
    long deadline = ledger.height() + 1 + blocks;
    chain.run(
        SUBMITTER,
        n ->
            TxBodies.submitTuningJob(
                GENESIS.chainId(),
                n,
                FEE,
                TxBodies.tuningJob(
                    model,
                    datanet,
                    TuningMethod.TUNING_METHOD_LORA,
                    TxBodies.hyperparameters(8, 16, 200_000, 2, 4),
                    seed,
                    1,
                    ESCROW,
                    deadline)));
    return ledger.tuningJob(id).orElseThrow();
  }

  private PrivateKey keyOf(Address address) {
    return DEV.stream().filter(k -> k.address().equals(address)).findFirst().orElseThrow();
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

  @Test
  void aJobShowsWhatWasAskedWhoWasDrawnAndWhenItMovesOnWithAProofOfExactlyThat() {
    TuningJob job = submit(20, 7);

    JsonNode json = call("ascribe_getJob", job.id().toHex(), true);

    assertThat(json.path("id").asText()).isEqualTo(job.id().toHex());
    assertThat(json.path("submitter").asText()).isEqualTo(SUBMITTER.address().toString());
    assertThat(json.path("baseModel").asText()).isEqualTo(model.toHex());
    assertThat(json.path("datanet").asText()).isEqualTo(datanet.toHex());
    assertThat(json.path("method").asText()).isEqualTo("lora");
    JsonNode h = json.path("hyperparameters");
    assertThat(quantity(h.path("rank"))).isEqualTo(8);
    assertThat(quantity(h.path("alpha"))).isEqualTo(16);
    assertThat(h.path("learningRate").asText()).isEqualTo("0.0002");
    assertThat(quantity(json.path("seed"))).isEqualTo(7);
    assertThat(wei(json.path("escrow"))).isEqualTo(ESCROW);
    assertThat(json.path("status").asText()).isEqualTo("assigned");
    assertThat(json.path("executor").asText()).isEqualTo(job.executor().toString());
    assertThat(json.path("verifiers"))
        .extracting(JsonNode::asText)
        .containsExactly(job.verifiers().get(0).toString(), job.verifiers().get(1).toString());
    assertThat(quantity(json.path("deadline"))).isEqualTo(job.spec().deadline());
    assertThat(quantity(json.path("nextDeadline"))).isEqualTo(job.spec().deadline() + 1);
    assertThat(json.path("result").isNull()).isTrue();
    assertThat(json.path("attestations")).isEmpty();
    assertThat(json.path("settlement").isNull()).isTrue();
    AnchoredObjectProof proof = ObjectProofJson.fromJson(json.path("proof"));
    assertThat(proof.proof().verify(chain.stateRoot())).isTrue();
    assertThat(LedgerObject.decode(proof.proof().object().toByteArray())).isEqualTo(job);
    assertThat(call("ascribe_getJob", job.id().toHex()).has("proof")).isFalse();

    JsonNode capability = call("ascribe_getCapability", job.executor().toString(), true);
    assertThat(capability.path("status").asText()).isEqualTo("active");
    assertThat(quantity(capability.path("openJobs"))).isEqualTo(1);
    assertThat(wei(capability.path("bond"))).isEqualTo(GENESIS.params().ai().jobs().executorBond());
    assertThat(capability.path("takesJobs").asBoolean()).isTrue();
    assertThat(ObjectProofJson.fromJson(capability.path("proof")).proof().verify(chain.stateRoot()))
        .isTrue();

    JsonNode params = call("ascribe_jobParams");
    assertThat(quantity(params.path("verifiers"))).isEqualTo(2);
    assertThat(wei(params.path("minJobFee"))).isEqualTo(Amount.ONE_OPEN);
  }

  @Test
  void jobsAreListedBySubmitterExecutorAndStatusAsTheyAreNow() {
    TuningJob soon = submit(2, 1);
    TuningJob later = submit(50, 2);
    chain.advanceTo(soon.spec().deadline() + 1);

    JsonNode all = call("ascribe_listJobs");
    assertThat(quantity(all.path("total"))).isEqualTo(2);
    assertThat(all.path("nextPage").isNull()).isTrue();
    assertThat(all.path("jobs"))
        .extracting(j -> j.path("id").asText())
        .containsExactly(soon.id().toHex(), later.id().toHex());
    JsonNode expired = call("ascribe_listJobs", Map.of("status", "expired"), true);
    assertThat(expired.path("jobs")).singleElement();
    assertThat(expired.path("jobs").get(0).path("id").asText()).isEqualTo(soon.id().toHex());
    assertThat(expired.path("jobs").get(0).path("nextDeadline").isNull()).isTrue();
    assertThat(
            ObjectProofJson.fromJson(expired.path("jobs").get(0).path("proof"))
                .proof()
                .verify(chain.stateRoot()))
        .isTrue();
    JsonNode byExecutor =
        call(
            "ascribe_listJobs",
            Map.of(
                "executor",
                later.executor().toString(),
                "submitter",
                SUBMITTER.address().toString()));
    assertThat(byExecutor.path("jobs"))
        .extracting(j -> j.path("executor").asText())
        .containsOnly(later.executor().toString());
    Address validator = DEV.get(0).address();
    assertThat(call("ascribe_listJobs", Map.of("submitter", validator.toString())).path("jobs"))
        .isEmpty();
    assertThat(call("ascribe_listJobs", Map.of("page", "0x1")).path("jobs")).isEmpty();

    assertThatThrownBy(() -> call("ascribe_listJobs", Map.of("status", "done")))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcException.INVALID_PARAMS))
        .hasMessage(
            "parameter 0 (filter) field status must be one of assigned, posted, accepted,"
                + " disputed, final, rejected, expired, got \"done\"");
    assertThatThrownBy(() -> call("ascribe_listJobs", Map.of("owner", "0x1")))
        .hasMessageContaining("has an unknown field \"owner\"");
  }

  @Test
  void anExpiredJobsAttributionRefundsTheSubmitterAndNamesTheSlashedExecutor() {
    TuningJob job = submit(2, 3);

    assertThatThrownBy(() -> call("ascribe_getAttribution", job.id().toHex()))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(ChainApi.NOT_FOUND))
        .hasMessage(
            "job "
                + job.id()
                + " is assigned, not over: its fee is attributed when it ends (it moves on by"
                + " itself at block "
                + (job.spec().deadline() + 1)
                + "); follow it with ascribe_getJob");
    chain.advanceTo(job.spec().deadline() + 1);

    JsonNode json = call("ascribe_getAttribution", job.id().toHex(), true);

    assertThat(json.path("job").asText()).isEqualTo(job.id().toHex());
    assertThat(json.path("status").asText()).isEqualTo("expired");
    assertThat(json.path("payer").asText()).isEqualTo(SUBMITTER.address().toString());
    assertThat(wei(json.path("fee"))).isEqualTo(ESCROW);
    assertThat(wei(json.path("refunded"))).isEqualTo(ESCROW);
    assertThat(wei(json.path("burned"))).isZero();
    assertThat(json.path("shares")).isEmpty();
    assertThat(json.path("slashed")).singleElement();
    JsonNode slash = json.path("slashed").get(0);
    assertThat(slash.path("account").asText()).isEqualTo(job.executor().toString());
    assertThat(slash.path("role").asText()).isEqualTo("executor");
    assertThat(wei(slash.path("amount")))
        .isEqualTo(GENESIS.params().ai().jobs().executorBond().divide(BigInteger.TEN));
    AnchoredObjectProof proof = ObjectProofJson.fromJson(json.path("proof"));
    assertThat(proof.proof().verify(chain.stateRoot())).isTrue();
    assertThat(proof.proof().key()).isEqualTo(TuningJob.key(job.id()));
  }

  @Test
  void aFinalJobsAttributionPaysEachRoleApartAndAddsUpToTheFee() {
    TuningJob job = submit(20, 4);
    // The first contribution trained on helped, the others hurt: only the first is paid for.
    Map<Hash, Long> influence = new TreeMap<>();
    Hash paidFor = null;
    for (Hash c : contributions) {
      if (!EvalSplit.heldOut(job.spec().seed(), job.spec().evalBps(), c)) {
        paidFor = paidFor == null ? c : paidFor;
        influence.put(c, c.equals(paidFor) ? 3_000_000_000L : -1_000_000_000L);
      }
    }
    Hash helped = paidFor;
    chain.run(
        keyOf(job.executor()),
        n ->
            TxBodies.postTuningResult(
                GENESIS.chainId(),
                n,
                FEE,
                job.id(),
                Keccak.hash(new byte[] {7}),
                900_000_000L,
                TxBodies.evalMetrics(1_250_000_000L, 420_000_000L),
                influence));
    for (Address verifier : job.verifiers()) {
      chain.run(keyOf(verifier), n -> TxBodies.accept(GENESIS.chainId(), n, FEE, job.id()));
    }
    JsonNode accepted = call("ascribe_getJob", job.id().toHex());
    assertThat(accepted.path("status").asText()).isEqualTo("accepted");
    assertThat(accepted.path("result").path("finalLoss").asText()).isEqualTo("0.9");
    assertThat(accepted.path("result").path("rougeL").asText()).isEqualTo("0.42");
    assertThat(accepted.path("attestations"))
        .extracting(a -> a.path("verdict").asText())
        .containsExactly("accept", "accept");
    chain.advanceTo(quantity(accepted.path("nextDeadline")));

    JsonNode json = call("ascribe_getAttribution", job.id().toHex());

    assertThat(json.path("status").asText()).isEqualTo("final");
    BigInteger total = wei(json.path("burned")).add(wei(json.path("refunded")));
    Map<String, List<String>> rolesOf = new HashMap<>();
    for (JsonNode share : json.path("shares")) {
      total = total.add(wei(share.path("amount")));
      rolesOf
          .computeIfAbsent(share.path("account").asText(), a -> new ArrayList<>())
          .add(share.path("role").asText());
    }
    assertThat(total).isEqualTo(ESCROW);
    assertThat(rolesOf.get(job.executor().toString())).containsExactly("executor", "validator");
    assertThat(rolesOf.get(job.verifiers().get(0).toString()))
        .containsExactly("verifier", "validator");
    JsonNode contributor = json.path("shares").get(0);
    assertThat(contributor.path("role").asText()).isEqualTo("contributor");
    assertThat(contributor.path("account").asText()).isEqualTo(CONTRIBUTOR.address().toString());
    assertThat(contributor.path("contributions"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.path("id").asText()).isEqualTo(helped.toHex());
              assertThat(c.path("score").asText()).isEqualTo("3");
            });
    assertThat(wei(contributor.path("amount")))
        .isEqualTo(ESCROW.multiply(BigInteger.valueOf(4_000)).divide(BigInteger.valueOf(10_000)));

    JsonNode adapter = call("ascribe_getAdapter", Adapter.idOf(job.id()).toHex(), true);
    assertThat(adapter.path("job").asText()).isEqualTo(job.id().toHex());
    assertThat(adapter.path("fineTuner").asText()).isEqualTo(SUBMITTER.address().toString());
    assertThat(adapter.path("method").asText()).isEqualTo("lora");
  }

  @Test
  void unknownIdsAreNotFoundAndSayWhatToDo() {
    Hash unknown = Keccak.hash(new byte[] {9});
    Address stranger = DEV.get(9).address();

    assertThatThrownBy(() -> call("ascribe_getJob", unknown.toHex()))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(ChainApi.NOT_FOUND))
        .hasMessage("no tuning job has the id " + unknown + ": list them with ascribe_listJobs");
    assertThatThrownBy(() -> call("ascribe_getAttribution", unknown.toHex()))
        .hasMessageStartingWith("no tuning job or inference batch has the id " + unknown);
    assertThatThrownBy(() -> call("ascribe_getAdapter", unknown.toHex()))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(ChainApi.NOT_FOUND))
        .hasMessageStartingWith("no adapter has the id " + unknown);
    assertThatThrownBy(() -> call("ascribe_getCapability", stranger.toString()))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(ChainApi.NOT_FOUND))
        .hasMessage(
            stranger
                + " has never declared the inference capability: a validator declares it with a"
                + " DeclareCapability transaction");
    assertThatThrownBy(() -> call("ascribe_getJob", "0x12"))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcException.INVALID_PARAMS))
        .hasMessageContaining("parameter 0 (jobId)");
  }
}
