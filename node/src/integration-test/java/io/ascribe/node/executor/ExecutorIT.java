package io.ascribe.node.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.ai.DataRecord;
import io.ascribe.core.ai.ModelFiles;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.TuningMethod;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.genesis.AiParams;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.ModelFactory;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.Attestation;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.WorkRole;
import io.ascribe.ledger.exec.TxContext;
import io.ascribe.node.AscribeNode;
import io.ascribe.node.InJvmValidators;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three validators in this JVM over real TLS p2p, each running its AI work: they declare the
 * inference capability by themselves; a LoRA job submitted as a transaction is drawn to one of
 * them, which fetches the datanet's contributions from the one node that holds them, trains,
 * evaluates, scores influence and posts; the other two fetch its adapter by hash, re-check it and
 * accept; the job is final, its adapter registered and its fee paid by attribution.
 */
class ExecutorIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final BigInteger OPEN = Amount.ONE_OPEN;
  private static final int VALIDATORS = 3;
  private static final long VERIFY_WINDOW = 6;
  private static final BigInteger ESCROW = OPEN.multiply(BigInteger.TEN);
  private static final BigInteger BOND = OPEN.divide(BigInteger.valueOf(100));

  @TempDir Path dir;
  private final List<PrivateKey> keys = DevnetGenesis.devAccounts().subList(0, VALIDATORS);
  private final PrivateKey submitter = DevnetGenesis.devAccounts().get(5);
  private InJvmValidators validators;
  private AscribeNode[] nodes;
  private Genesis genesis;

  /** Verifiers per job, as a network asks (the one-validator devnet asks none). */
  private static final int VERIFIERS = 2;

  private long submitterNonce;

  private Genesis genesis(long... stakesInOpen) {
    Genesis devnet = DevnetGenesis.create(100);
    ProtocolParams p = devnet.params();
    AiParams ai = p.ai();
    AiParams.Jobs j = ai.jobs();
    AiParams fast =
        ai.withJobs(
            new AiParams.Jobs(
                VERIFIERS,
                j.executorBond(),
                j.minJobFee(),
                j.maxDeadlineBlocks(),
                j.fraudSlashBps(),
                j.missedDeadlineSlashBps(),
                VERIFY_WINDOW));
    List<Genesis.GenesisValidator> validators = new ArrayList<>();
    for (int i = 0; i < VALIDATORS; i++) {
      validators.add(
          new Genesis.GenesisValidator(
              keys.get(i).address(), OPEN.multiply(BigInteger.valueOf(stakesInOpen[i]))));
    }
    return new Genesis(
        devnet.chainId(),
        Instant.parse("2026-01-01T00:00:00Z"),
        validators,
        devnet.allocations(),
        p.withAi(fast));
  }

  @BeforeEach
  void layOutValidators() {
    validators = new InJvmValidators(dir, keys);
    nodes = validators.nodes;
  }

  @AfterEach
  void stop() {
    validators.close();
  }

  /** The model, datanet and contributions a job is asked for, and the job. */
  private record Asked(Hash model, Hash datanet, List<Hash> contributions, Hash job) {}

  private Path models() throws Exception {
    Path models = dir.resolve("models");
    try (NDManager m = Torch.engine().newBaseManager()) {
      ModelFactory.write(LlamaConfig.tiny(260), 7, models.resolve("tiny"), m);
    }
    return models;
  }

  /** Registers the model, a datanet of 16 records held by node 0 alone, and submits a LoRA job. */
  private Asked submitJob(Path models) throws Exception {
    Ledger ledger = nodes[0].ledger();
    ModelFiles files = ModelFiles.in(models.resolve("tiny"));
    Hash model =
        send(
            TxBodies.registerModel(
                chain(),
                nonce(),
                fee(),
                files.weightsHash(),
                files.configHash(),
                files.architecture(),
                "apache-2.0"),
            "model");
    Hash datanet =
        send(
            TxBodies.createDatanet(
                chain(),
                nonce(),
                fee(),
                "colours",
                TxBodies.datanetRules(BOND, "prompt-response/v1", 10_000)),
            "datanet");
    List<String> colours =
        List.of(
            "red", "green", "blue", "amber", "violet", "ochre", "teal", "crimson", "indigo",
            "olive", "maroon", "azure", "coral", "ivory", "jade", "umber");
    List<Hash> contributions = new ArrayList<>();
    for (int i = 0; i < colours.size(); i++) {
      DataRecord record =
          new DataRecord.PromptResponse(
              "Which colour is thing number " + i + "?",
              "Thing " + i + " is " + colours.get(i) + ".");
      // Only node 0 holds the bytes: the executor and verifiers fetch them over p2p.
      nodes[0].content().put(record.canonicalBytes());
      long[] minhash =
          MinHash.ofText(record.text()).values().stream().mapToLong(Long::longValue).toArray();
      contributions.add(
          send(
              TxBodies.contribute(
                  chain(),
                  nonce(),
                  fee(),
                  datanet,
                  record.contentHash(),
                  record.canonicalBytes().length,
                  minhash,
                  BOND),
              "contribution"));
    }
    long deadline = ledger.height() + 400;
    Hash job =
        send(
            TxBodies.submitTuningJob(
                chain(),
                nonce(),
                fee(),
                TxBodies.tuningJob(
                    model,
                    datanet,
                    TuningMethod.TUNING_METHOD_LORA,
                    TxBodies.hyperparameters(4, 8, 5_000_000, 2, 4),
                    11,
                    2_500,
                    ESCROW,
                    deadline)),
            "tuning-job");
    return new Asked(model, datanet, contributions, job);
  }

  @Test
  void aLoraJobIsRunVerifiedAndPaidByAttribution() throws Exception {
    genesis = genesis(100_000, 100_000, 100_000);
    Path models = models();
    for (int i = 0; i < VALIDATORS; i++) {
      validators.start(i, genesis);
    }
    for (int i = 0; i < VALIDATORS; i++) {
      nodes[i].startAiWork(
          new ExecutorSettings(dir.resolve("work" + i), models, ComputeDevice.CPU, 0));
    }
    Ledger ledger = nodes[0].ledger();
    await(
        () -> keys.stream().allMatch(k -> ledger.capability(k.address()).isPresent()),
        "every validator declares the inference capability");
    Asked asked = submitJob(models);
    Hash job = asked.job();
    List<Hash> contributions = asked.contributions();

    await(
        () -> ledger.tuningJob(job).map(t -> t.status() == TuningJob.Status.FINAL).orElse(false),
        "the job reaches FINAL");

    TuningJob done = ledger.tuningJob(job).orElseThrow();
    assertThat(done.attestations())
        .hasSize(2)
        .allMatch(a -> a.verdict() == Attestation.Verdict.ACCEPT);
    Adapter adapter = ledger.adapter(Adapter.idOf(job)).orElseThrow();
    assertThat(adapter.adapterHash()).isEqualTo(done.result().orElseThrow().adapterHash());
    assertThat(adapter.fineTuner()).isEqualTo(submitter.address());
    // Every node that took part holds the adapter's bytes, checked against its hash.
    for (AscribeNode node : nodes) {
      assertThat(node.content().get(adapter.adapterHash())).isPresent();
    }
    // Scored contributions are the trained-on ones, and some earned a contributor's share.
    assertThat(done.result().orElseThrow().influence().keySet())
        .isNotEmpty()
        .allMatch(contributions::contains);
    assertThat(done.settlement().orElseThrow().shares())
        .anyMatch(s -> s.role() == WorkRole.CONTRIBUTOR && s.amount().signum() > 0)
        .anyMatch(s -> s.role() == WorkRole.EXECUTOR && s.account().equals(done.executor()));

    // The executor's own record of the job: each phase and the time it took.
    int executor =
        keys.indexOf(
            keys.stream()
                .filter(k -> k.address().equals(done.executor()))
                .findFirst()
                .orElseThrow());
    JsonNode work = new RpcClient(nodes[executor].rpcUrl()).call("ascribe_getJobWork", job.toHex());
    assertThat(work.path("role").asText()).isEqualTo("executor");
    assertThat(work.path("phase").asText()).isEqualTo("done");
    assertThat(work.path("timingsMs").fieldNames())
        .toIterable()
        .contains("fetch", "train", "eval", "attribution", "post");

    // A user asks the executor a question answered with the new adapter over the datanet, paid by
    // a fee authorisation signed for exactly that request; the receipt reaches the chain.
    RpcClient executorRpc = new RpcClient(nodes[executor].rpcUrl(), Duration.ofMinutes(5));
    PrivateKey user = DevnetGenesis.devAccounts().get(6);
    // Four documents and the question do not fit the tiny model's 256-token context: refused with
    // the figures, and nobody is charged.
    assertThatThrownBy(
            () ->
                executorRpc.call("ascribe_infer", inferBody(executorRpc, user, asked, adapter, 4)))
        .hasMessageContaining("the model's context is 256 tokens");
    BigInteger price = genesis.params().ai().inference().minRequestFee();
    java.util.Map<String, Object> body = inferBody(executorRpc, user, asked, adapter, 2);
    JsonNode answer = executorRpc.call("ascribe_infer", body);
    assertThat(answer.path("executor").asText()).isEqualTo(done.executor().toString());
    assertThat(answer.path("citations")).hasSize(2);
    long positive = 0;
    for (JsonNode c : answer.path("citations")) {
      assertThat(asked.contributions()).contains(Hash.fromHex(c.path("contribution").asText()));
      positive += Math.max(0, c.path("ppm").asLong());
    }
    assertThat(positive).isEqualTo(1_000_000L);
    // The same authorisation again is refused before any compute.
    assertThatThrownBy(() -> executorRpc.call("ascribe_infer", body))
        .hasMessageContaining("already used");
    await(
        () ->
            ledger
                .feeAuthorisations(user.address())
                .map(n -> n.spent().equals(price))
                .orElse(false),
        "the receipt is posted and the user charged");
  }

  /**
   * An ascribe_infer request for {@code topK} documents, its fee authorisation signed by {@code
   * user}.
   */
  private java.util.Map<String, Object> inferBody(
      RpcClient executorRpc, PrivateKey user, Asked asked, Adapter adapter, int topK) {
    io.ascribe.core.ai.InferenceRequest request =
        new io.ascribe.core.ai.InferenceRequest(
            "Which colour is thing number 3?",
            asked.model(),
            Optional.of(adapter.id()),
            asked.datanet(),
            topK,
            8);
    JsonNode quote = executorRpc.call("ascribe_inferenceQuote", user.address().toString());
    BigInteger price = genesis.params().ai().inference().minRequestFee();
    io.ascribe.core.tx.FeeAuthorisation authorisation =
        new io.ascribe.core.tx.FeeAuthorisation(
            chain(),
            user.address(),
            Address.fromHex(quote.path("executor").asText()),
            io.ascribe.core.types.Quantities.parseLong(quote.path("nonce").asText()),
            price,
            price,
            request.hash());
    java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("prompt", request.prompt());
    body.put("model", asked.model().toHex());
    body.put("adapter", adapter.id().toHex());
    body.put("datanet", asked.datanet().toHex());
    body.put("topK", io.ascribe.core.types.Quantities.toHex(topK));
    body.put("maxNewTokens", "0x8");
    body.put(
        "authorisation",
        java.util.Map.of(
            "user", user.address().toString(),
            "nonce", quote.path("nonce").asText(),
            "fee", io.ascribe.core.types.Quantities.toHex(price),
            "feeLimit", io.ascribe.core.types.Quantities.toHex(price),
            "signature", Hex.encode(authorisation.sign(user).toBytes())));
    return body;
  }

  @Test
  void aFakeResultIsRejectedItsExecutorSlashedAndTheSubmitterRefunded() throws Exception {
    // Every validator declares by a transaction the test sends, and no AI work runs until the job
    // is drawn: then the two verifiers start theirs, and the executor's key posts a made-up result.
    genesis = genesis(100_000, 100_000, 100_000);
    Path models = models();
    for (int i = 0; i < VALIDATORS; i++) {
      validators.start(i, genesis);
    }
    for (PrivateKey key : keys) {
      sendAs(key, TxBodies.declareCapability(chain(), 0, fee()));
    }
    Ledger ledger = nodes[0].ledger();
    BigInteger submitterBefore = ledger.account(submitter.address()).balance();
    Asked asked = submitJob(models);
    TuningJob assigned = ledger.tuningJob(asked.job()).orElseThrow();
    PrivateKey faker =
        keys.stream()
            .filter(k -> k.address().equals(assigned.executor()))
            .findFirst()
            .orElseThrow();
    for (int i = 0; i < VALIDATORS; i++) {
      if (!keys.get(i).address().equals(faker.address())) {
        nodes[i].startAiWork(
            new ExecutorSettings(dir.resolve("work" + i), models, ComputeDevice.CPU, 0));
      }
    }
    BigInteger bond = ledger.capability(faker.address()).orElseThrow().bond();

    // An adapter hash no node can serve, and figures nobody measured.
    sendAs(
        faker,
        TxBodies.postTuningResult(
            chain(),
            1,
            fee(),
            asked.job(),
            io.ascribe.core.crypto.Keccak.hash(
                "no such adapter".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            100_000_000L,
            TxBodies.evalMetrics(50_000_000L, 990_000_000L),
            java.util.Map.of(asked.contributions().getFirst(), 1_000_000_000L)));

    await(
        () ->
            ledger
                .tuningJob(asked.job())
                .map(t -> t.status() == TuningJob.Status.REJECTED)
                .orElse(false),
        "the verifiers reject the fake result");
    TuningJob rejected = ledger.tuningJob(asked.job()).orElseThrow();
    assertThat(rejected.attestations())
        .hasSize(2)
        .allMatch(a -> a.verdict() == Attestation.Verdict.REJECT);
    var settlement = rejected.settlement().orElseThrow();
    assertThat(settlement.refunded()).isEqualTo(ESCROW);
    assertThat(settlement.slashed()).containsKey(faker.address());
    assertThat(ledger.capability(faker.address()).orElseThrow().bond()).isLessThan(bond);
    assertThat(ledger.adapter(Adapter.idOf(asked.job()))).isEmpty();
    // The submitter paid only its transactions' fees; the escrow came back.
    BigInteger fees = fee().multiply(BigInteger.valueOf(submitterNonce));
    assertThat(ledger.account(submitter.address()).balance())
        .isEqualTo(submitterBefore.subtract(fees).subtract(BOND.multiply(BigInteger.valueOf(16))));
  }

  private void sendAs(PrivateKey key, TxBody body) throws Exception {
    SignedTransaction tx = SignedTransaction.sign(body, key);
    RpcClient rpc = new RpcClient(nodes[0].rpcUrl());
    String hash = rpc.call("ascribe_sendRawTransaction", Hex.encode(tx.encoded())).asText();
    await(() -> !rpc.call("ascribe_getTransactionReceipt", hash).isNull(), "transaction " + hash);
    assertThat(rpc.call("ascribe_getTransactionReceipt", hash).path("status").asText())
        .isEqualTo("success");
  }

  private Hash send(TxBody body, String kind) throws Exception {
    SignedTransaction tx = SignedTransaction.sign(body, submitter);
    RpcClient rpc = new RpcClient(nodes[1].rpcUrl());
    String hash = rpc.call("ascribe_sendRawTransaction", Hex.encode(tx.encoded())).asText();
    await(() -> !rpc.call("ascribe_getTransactionReceipt", hash).isNull(), "transaction " + hash);
    JsonNode receipt = rpc.call("ascribe_getTransactionReceipt", hash);
    assertThat(receipt.path("status").asText()).as("%s: %s", kind, receipt).isEqualTo("success");
    return TxContext.objectId(kind, submitter.address(), body.getNonce());
  }

  private long nonce() {
    return submitterNonce++;
  }

  private long chain() {
    return genesis.chainId();
  }

  private BigInteger fee() {
    return genesis.params().minFee();
  }

  private void await(BooleanSupplier condition, String what) throws InterruptedException {
    try (HeadSubscription heads = HeadSubscription.open(nodes[0].rpcUrl())) {
      long until = System.nanoTime() + WAIT.toNanos() * 3;
      while (!condition.getAsBoolean()) {
        assertThat(System.nanoTime()).as("waiting for: %s", what).isLessThan(until);
        heads.next(WAIT);
      }
    }
  }
}
