package io.ascribe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.state.AccountProofJson;
import io.ascribe.core.state.AnchoredProof;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.node.api.ContentApi;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.client.RpcClientException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A devnet node in this JVM, driven over real HTTP and WebSocket on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DevnetRpcIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final BigInteger OPEN = Amount.ONE_OPEN;

  private Genesis genesis;
  private AscribeNode node;
  private RpcClient rpc;
  private HeadSubscription heads;
  private final List<PrivateKey> dev = DevnetGenesis.devAccounts();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    genesis = DevnetGenesis.create(50);
    node = AscribeNode.start(new NodeConfig(dir, genesis, dev.get(0), "127.0.0.1", 0, 0));
    rpc = new RpcClient(node.rpcUrl());
    heads = HeadSubscription.open(node.rpcUrl());
  }

  @AfterAll
  void stop() {
    heads.close();
    node.close();
  }

  private long nonceOf(PrivateKey key) {
    return Quantities.parseLong(
        rpc.call("ascribe_getNonce", key.address().toString(), "pending").asText());
  }

  private String send(SignedTransaction tx) {
    return rpc.call("ascribe_sendRawTransaction", Hex.encode(tx.encoded())).asText();
  }

  private JsonNode awaitReceipt(String hash) throws InterruptedException {
    long height = Quantities.parseLong(rpc.call("ascribe_blockNumber").asText());
    for (long h = height + 1; h < height + 200; h++) {
      JsonNode receipt = rpc.call("ascribe_getTransactionReceipt", hash);
      if (!receipt.isNull()) {
        return receipt;
      }
      heads.awaitHeight(h, WAIT);
    }
    throw new AssertionError("transaction " + hash + " not included in 200 blocks");
  }

  private SignedTransaction transfer(PrivateKey from, long nonce, Address to, BigInteger amount) {
    return SignedTransaction.sign(
        TxBodies.transfer(genesis.chainId(), nonce, genesis.params().minFee(), to, amount), from);
  }

  @Test
  void aTransferIsCommittedAndProvable() throws Exception {
    PrivateKey from = dev.get(1);
    Address to = dev.get(2).address();
    BigInteger before = Quantities.parse(rpc.call("ascribe_getBalance", to.toString()).asText());

    String hash = send(transfer(from, nonceOf(from), to, OPEN.multiply(BigInteger.valueOf(3))));
    JsonNode receipt = awaitReceipt(hash);

    assertThat(receipt.path("status").asText()).isEqualTo("success");
    assertThat(Quantities.parse(rpc.call("ascribe_getBalance", to.toString()).asText()))
        .isEqualTo(before.add(OPEN.multiply(BigInteger.valueOf(3))));
    JsonNode block =
        rpc.call("ascribe_getBlockByNumber", receipt.path("blockNumber").asText(), true);
    assertThat(block.path("transactions").get(0).path("hash").asText()).isEqualTo(hash);
    assertThat(block.path("commit").path("signatures").get(0).path("validator").asText())
        .isEqualTo(dev.get(0).address().toString());

    AnchoredProof proof = AccountProofJson.fromJson(rpc.call("ascribe_getProof", to.toString()));
    JsonNode header = rpc.call("ascribe_getBlockByNumber", Quantities.toHex(proof.height()), false);
    Hash root = Hash.fromHex(header.path("stateRoot").asText());
    assertThat(proof.proof().verify(root)).isTrue();
    assertThat(proof.proof().account().orElseThrow().balance())
        .isEqualTo(Quantities.parse(rpc.call("ascribe_getBalance", to.toString()).asText()));
  }

  @Test
  void malformedTransactionsGetInvalidParams() {
    assertRpcError(-32602, "hex", "ascribe_sendRawTransaction", "0xzz");
    assertRpcError(-32602, "invalid transaction", "ascribe_sendRawTransaction", "0x0a05ffffffffff");
    assertRpcError(-32602, "no kind", "ascribe_sendRawTransaction", "0x");
  }

  @Test
  void badSignaturesAreRefused() {
    PrivateKey from = dev.get(3);
    SignedTransaction tx = transfer(from, nonceOf(from), dev.get(4).address(), OPEN);
    byte[] signature = tx.envelope().getSignature().toByteArray();
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(signature, 32, 64));
    byte[] highS = Secp256k1.N.subtract(s).toByteArray();
    byte[] forged = signature.clone();
    java.util.Arrays.fill(forged, 32, 64, (byte) 0);
    System.arraycopy(
        highS,
        Math.max(0, highS.length - 32),
        forged,
        64 - Math.min(32, highS.length),
        Math.min(32, highS.length));
    forged[64] ^= 1;
    var envelope =
        tx.envelope().toBuilder()
            .setSignature(com.google.protobuf.ByteString.copyFrom(forged))
            .build();
    assertRpcError(
        -32602, "high-s", "ascribe_sendRawTransaction", Hex.encode(envelope.toByteArray()));

    byte[] garbage = new byte[65];
    garbage[0] = 1;
    garbage[63] = 1;
    var bogus =
        tx.envelope().toBuilder()
            .setSignature(com.google.protobuf.ByteString.copyFrom(garbage))
            .build();
    RpcClientException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            RpcClientException.class,
            () -> rpc.call("ascribe_sendRawTransaction", Hex.encode(bogus.toByteArray())));
    assertThat(e.getMessage()).containsAnyOf("signature", "insufficient balance");
  }

  @Test
  void transactionsTheLedgerCannotTakeAreRejectedWithTheReason() throws Exception {
    PrivateKey from = dev.get(5);
    Address to = dev.get(6).address();
    long nonce = nonceOf(from);
    awaitReceipt(send(transfer(from, nonce, to, OPEN)));

    assertRpcError(
        -32000,
        "already used",
        "ascribe_sendRawTransaction",
        Hex.encode(transfer(from, nonce, to, OPEN).encoded()));
    assertRpcError(
        -32000,
        "too far ahead",
        "ascribe_sendRawTransaction",
        Hex.encode(transfer(from, nonce + 5000, to, OPEN).encoded()));
    SignedTransaction otherChain =
        SignedTransaction.sign(
            TxBodies.transfer(
                genesis.chainId() + 1, nonce + 1, genesis.params().minFee(), to, OPEN),
            from);
    assertRpcError(
        -32000, "wrong chain id", "ascribe_sendRawTransaction", Hex.encode(otherChain.encoded()));
    BigInteger all = DevnetGenesis.ACCOUNT_BALANCE.multiply(BigInteger.TWO);
    assertRpcError(
        -32000,
        "insufficient balance",
        "ascribe_sendRawTransaction",
        Hex.encode(transfer(from, nonce + 1, to, all).encoded()));
    SignedTransaction cheap =
        SignedTransaction.sign(
            TxBodies.transfer(genesis.chainId(), nonce + 1, BigInteger.ONE, to, OPEN), from);
    assertRpcError(
        -32000, "below the minimum fee", "ascribe_sendRawTransaction", Hex.encode(cheap.encoded()));

    // Nothing was lost: the next valid transaction still goes through.
    assertThat(awaitReceipt(send(transfer(from, nonce + 1, to, OPEN))).path("status").asText())
        .isEqualTo("success");
  }

  @Test
  void wrongCallsGetJsonRpcErrorsThatNameTheProblem() throws Exception {
    assertRpcError(-32601, "ascribe_noSuchMethod", "ascribe_noSuchMethod");
    assertRpcError(-32602, "address", "ascribe_getBalance", 42);
    assertRpcError(-32602, "address", "ascribe_getBalance", "0x1234");
    assertRpcError(-32602, "block", "ascribe_getBlockByNumber", "0x01", false);
    assertRpcError(
        -32001,
        "latest state only",
        "ascribe_getBalance",
        dev.get(0).address().toString(),
        "earliest");
    assertThat(rpc.call("ascribe_getBlockByNumber", "0xffffff", false).isNull()).isTrue();
    assertThat(rpc.call("ascribe_getTransactionReceipt", Hash.ZERO.toHex()).isNull()).isTrue();

    byte[] huge = new byte[ContentApi.MAX_BODY_BYTES + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(node.rpcUrl()))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(huge))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(rpc.call("ascribe_chainId").asText()).isEqualTo(Quantities.toHex(genesis.chainId()));
  }

  @Test
  void metricsReportHeightAndCommittedTransactions() throws Exception {
    String url = node.metricsUrl().orElseThrow();
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(body)
        .contains("ascribe_chain_height")
        .contains("ascribe_mempool_size")
        .contains("ascribe_committed_txs_total");
  }

  private void assertRpcError(int code, String messagePart, String method, Object... params) {
    assertThatThrownBy(() -> rpc.call(method, params))
        .isInstanceOfSatisfying(RpcClientException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(messagePart);
  }
}
