package io.ascribe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.InferenceReceipt;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AnchoredObjectProof;
import io.ascribe.core.state.ObjectProofJson;
import io.ascribe.core.tx.FeeAuthorisation;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.exec.TxExecutor;
import io.ascribe.node.api.ChainApi;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.client.RpcClientException;
import io.ascribe.node.rpc.RpcException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference RPC on a real single-validator devnet in this JVM, over HTTP: the validator
 * declares the inference capability and posts a batch of receipts a user authorised, with real
 * transactions; the batch, its listing, the user's authorisations and, once the challenge window
 * closes, who earned what are read back with proofs against the committed state root.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InferenceRpcIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final BigInteger OPEN = Amount.ONE_OPEN;
  private static final List<PrivateKey> DEV = DevnetGenesis.devAccounts();
  private static final PrivateKey EXECUTOR = DEV.get(0);
  private static final PrivateKey OWNER = DEV.get(3);
  private static final PrivateKey CONTRIBUTOR = DEV.get(4);
  private static final PrivateKey USER = DEV.get(5);

  private Genesis genesis;
  private AscribeNode node;
  private RpcClient rpc;
  private HeadSubscription heads;
  private final Map<Address, Long> nonces = new HashMap<>();
  private Hash model;
  private Hash datanet;
  private final List<Hash> contributions = new ArrayList<>();
  private Hash batch;
  private long batchHeight;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    genesis = DevnetGenesis.create(50);
    node = AscribeNode.start(new NodeConfig(dir, genesis, EXECUTOR, "127.0.0.1", 0, -1));
    rpc = new RpcClient(node.rpcUrl());
    heads = HeadSubscription.open(node.rpcUrl());

    BigInteger fee = genesis.params().minFee();
    long chainId = genesis.chainId();
    List<String> setup = new ArrayList<>();
    setup.add(send(EXECUTOR, n -> TxBodies.declareCapability(chainId, n, fee)));
    model = TxExecutor.objectId("model", OWNER.address(), nonce(OWNER));
    setup.add(
        send(
            OWNER,
            n ->
                TxBodies.registerModel(
                    chainId,
                    n,
                    fee,
                    Keccak.hash(new byte[] {1}),
                    Keccak.hash(new byte[] {2}),
                    "LlamaForCausalLM",
                    "apache-2.0")));
    datanet = TxExecutor.objectId("datanet", OWNER.address(), nonce(OWNER));
    setup.add(
        send(
            OWNER,
            n ->
                TxBodies.createDatanet(
                    chainId, n, fee, "fortunes", TxBodies.datanetRules(OPEN, "text/v1", 10_000))));
    setup.forEach(this::awaitSuccess);
    List<String> contribute = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      contributions.add(
          TxExecutor.objectId("contribution", CONTRIBUTOR.address(), nonce(CONTRIBUTOR)));
      long[] minHash = new long[MinHash.SLOTS];
      for (int s = 0; s < minHash.length; s++) {
        minHash[s] = 1_000L * i + s;
      }
      Hash content = Keccak.hash(ByteBuffer.allocate(4).putInt(i).array());
      contribute.add(
          send(
              CONTRIBUTOR,
              n -> TxBodies.contribute(chainId, n, fee, datanet, content, 10, minHash, OPEN)));
    }
    contribute.forEach(this::awaitSuccess);

    batch = TxExecutor.objectId("inference-batch", EXECUTOR.address(), nonce(EXECUTOR));
    List<InferenceReceipt> receipts =
        List.of(receipt("what is a psalm", 0, OPEN), receipt("who wrote genesis", 1, OPEN));
    JsonNode included =
        awaitSuccess(
            send(EXECUTOR, n -> TxBodies.submitInferenceReceipts(chainId, n, fee, receipts)));
    batchHeight = Quantities.parseLong(included.path("blockNumber").asText());
  }

  @AfterAll
  void stop() {
    heads.close();
    node.close();
  }

  /**
   * The account's next nonce: the node's own pending count the first time (the validator's key is
   * the node's, which may send transactions of its own), then counted here.
   */
  private long nonce(PrivateKey key) {
    return nonces.computeIfAbsent(
        key.address(),
        a -> Quantities.parseLong(rpc.call("ascribe_getNonce", a.toString(), "pending").asText()));
  }

  private String send(PrivateKey key, LongFunction<TxBody> body) {
    long nonce = nonce(key);
    nonces.put(key.address(), nonce + 1);
    SignedTransaction tx = SignedTransaction.sign(body.apply(nonce), key);
    return rpc.call("ascribe_sendRawTransaction", Hex.encode(tx.encoded())).asText();
  }

  private JsonNode awaitSuccess(String hash) {
    try {
      long height = Quantities.parseLong(rpc.call("ascribe_blockNumber").asText());
      for (long h = height + 1; h < height + 200; h++) {
        JsonNode receipt = rpc.call("ascribe_getTransactionReceipt", hash);
        if (!receipt.isNull()) {
          assertThat(receipt.path("error").isNull())
              .as("transaction %s: %s", hash, receipt.path("error").asText())
              .isTrue();
          return receipt;
        }
        heads.awaitHeight(h, WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("transaction " + hash + " not included in 200 blocks");
  }

  /** A receipt for {@code question} scoring one contribution, the user's authorisation nonce n. */
  private InferenceReceipt receipt(String question, int n, BigInteger fee) {
    Hash request = Keccak.hash(question.getBytes(StandardCharsets.UTF_8));
    var authorisation =
        new FeeAuthorisation(
                genesis.chainId(),
                USER.address(),
                EXECUTOR.address(),
                n,
                fee,
                OPEN.multiply(BigInteger.TEN),
                request)
            .signed(USER);
    return TxBodies.inferenceReceipt(
        request,
        model,
        Optional.empty(),
        datanet,
        List.of(TxBodies.attributionScore(contributions.get(n), 1_000_000)),
        Keccak.hash(request.toArray()),
        authorisation);
  }

  /** The proof's state root is the one the chain committed at the proof's height. */
  private void assertProven(JsonNode proof) {
    AnchoredObjectProof anchored = ObjectProofJson.fromJson(proof);
    JsonNode block = rpc.call("ascribe_getBlockByNumber", Quantities.toHex(anchored.height()));
    assertThat(block.path("stateRoot").asText()).isEqualTo(anchored.stateRoot().toHex());
    assertThat(anchored.proof().verify(anchored.stateRoot())).isTrue();
  }

  private void assertRpcError(int code, String message, String method, Object... params) {
    assertThatThrownBy(() -> rpc.call(method, params))
        .isInstanceOfSatisfying(RpcClientException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
  }

  private static BigInteger wei(JsonNode node) {
    return Quantities.parse(node.asText());
  }

  @Test
  void thePostedBatchIsReadListedAndItsUsersAuthorisationsCounted() {
    JsonNode json = rpc.call("ascribe_getInferenceBatch", batch.toHex(), true);

    assertThat(json.path("id").asText()).isEqualTo(batch.toHex());
    assertThat(json.path("executor").asText()).isEqualTo(EXECUTOR.address().toString());
    assertThat(Quantities.parseLong(json.path("height").asText())).isEqualTo(batchHeight);
    assertThat(json.path("receipts")).hasSize(2);
    JsonNode second = json.path("receipts").get(1);
    assertThat(second.path("user").asText()).isEqualTo(USER.address().toString());
    assertThat(second.path("nonce").asText()).isEqualTo("0x1");
    assertThat(wei(second.path("fee"))).isEqualTo(OPEN);
    assertThat(second.path("model").asText()).isEqualTo(model.toHex());
    assertThat(second.path("scores").get(0).path("contribution").asText())
        .isEqualTo(contributions.get(1).toHex());
    assertThat(second.path("scores").get(0).path("scorePpm").asLong()).isEqualTo(1_000_000);
    assertThat(second.path("credits"))
        .extracting(c -> c.path("role").asText())
        .contains("contributor", "executor");
    assertProven(json.path("proof"));

    JsonNode listed =
        rpc.call("ascribe_listInferenceBatches", Map.of("executor", EXECUTOR.address().toString()));
    assertThat(listed.path("batches"))
        .extracting(b -> b.path("id").asText())
        .containsExactly(batch.toHex());

    JsonNode auth = rpc.call("ascribe_getFeeAuthorisations", USER.address().toString(), true);
    assertThat(auth.path("highestNonce").asText()).isEqualTo("0x1");
    assertThat(auth.path("usedNonces")).extracting(JsonNode::asText).containsExactly("0x1", "0x0");
    assertThat(wei(auth.path("spent"))).isEqualTo(OPEN.multiply(BigInteger.TWO));
    assertProven(auth.path("proof"));
  }

  @Test
  void onceTheWindowClosesTheAttributionSaysWhoEarnedWhatAndAddsUpToTheFee() throws Exception {
    long settle = batchHeight + genesis.params().ai().inference().challengeWindowBlocks() + 1;
    heads.awaitHeight(settle, WAIT);

    JsonNode json = rpc.call("ascribe_getAttribution", batch.toHex(), true);

    assertThat(json.path("batchStatus").asText()).isEqualTo("settled");
    assertProven(json.path("proof"));
    for (JsonNode receipt : json.path("receipts")) {
      assertThat(receipt.path("status").asText()).isEqualTo("paid");
      assertThat(receipt.path("upheldAgainstExecutor").asBoolean()).isFalse();
      assertThat(receipt.path("payer").asText()).isEqualTo(USER.address().toString());
      BigInteger total = wei(receipt.path("burned")).add(wei(receipt.path("refunded")));
      Map<String, BigInteger> roles = new HashMap<>();
      for (JsonNode share : receipt.path("shares")) {
        total = total.add(wei(share.path("amount")));
        roles.merge(
            share.path("account").asText() + "/" + share.path("role").asText(),
            wei(share.path("amount")),
            BigInteger::add);
      }
      assertThat(total).isEqualTo(OPEN);
      // The devnet split: contributors 40%, executor 15%, validators 10% (the sole one).
      assertThat(roles)
          .containsEntry(
              CONTRIBUTOR.address() + "/contributor",
              OPEN.multiply(BigInteger.valueOf(4)).divide(BigInteger.TEN))
          .containsEntry(
              EXECUTOR.address() + "/executor",
              OPEN.multiply(BigInteger.valueOf(15)).divide(BigInteger.valueOf(100)))
          .containsEntry(EXECUTOR.address() + "/validator", OPEN.divide(BigInteger.TEN));
    }
    JsonNode one = rpc.call("ascribe_getAttribution", batch.toHex(), "0x1");
    assertThat(one.path("receipt").asText()).isEqualTo("0x1");
    assertThat(one.path("shares")).isEqualTo(json.path("receipts").get(1).path("shares"));
  }

  @Test
  void unknownIdsAndWrongParamsGetAClearError() {
    Hash unknown = Keccak.hash(new byte[] {9});
    assertRpcError(
        ChainApi.NOT_FOUND,
        "no inference batch has the id "
            + unknown
            + ": list them with ascribe_listInferenceBatches",
        "ascribe_getInferenceBatch",
        unknown.toHex());
    assertRpcError(
        ChainApi.NOT_FOUND,
        "no receipt challenge has the id " + unknown,
        "ascribe_getReceiptChallenge",
        unknown.toHex());
    assertRpcError(
        ChainApi.NOT_FOUND,
        "no tuning job or inference batch has the id " + unknown,
        "ascribe_getAttribution",
        unknown.toHex());
    assertRpcError(
        ChainApi.NOT_FOUND,
        DEV.get(9).address() + " has never paid for an inference request",
        "ascribe_getFeeAuthorisations",
        DEV.get(9).address().toString());
    assertRpcError(
        ChainApi.NOT_FOUND,
        "batch " + batch + " has 2 receipts, no receipt 2",
        "ascribe_getAttribution",
        batch.toHex(),
        "0x2");
    assertRpcError(
        RpcException.INVALID_PARAMS,
        "parameter 0 (batchId) must be a 32-byte 0x-prefixed hex hash",
        "ascribe_getInferenceBatch",
        42);
    assertRpcError(
        RpcException.INVALID_PARAMS,
        "parameter 1 (receiptIndex) must be a hex quantity",
        "ascribe_getAttribution",
        batch.toHex(),
        "second");
    assertRpcError(
        RpcException.INVALID_PARAMS,
        "parameter 0 (filter) field status must be one of held, settled",
        "ascribe_listInferenceBatches",
        Map.of("status", "open"));
    assertRpcError(
        RpcException.INVALID_PARAMS,
        "parameter 0 (user) must be a 20-byte 0x-prefixed hex address",
        "ascribe_getFeeAuthorisations",
        "alice");
  }
}
