package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.ledger.exec.TxExecutor;
import io.ascribe.node.client.RpcClient;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * Signs transaction bodies with one key and consecutive nonces from a first one, sends them to a
 * node, and waits for their receipts: one transaction for {@code tx transfer}, one per record for
 * {@code datanet contribute}.
 */
final class TxSender {
  static final Duration RECEIPT_TIMEOUT = Duration.ofSeconds(60);

  /** Makes a transaction body once chain id, nonce and fee are known. */
  interface BodyFactory {
    TxBody body(long chainId, long nonce, BigInteger fee);
  }

  /** A transaction the node accepted into its mempool, and who sent it with which nonce. */
  record Sent(String hash, Address sender, long nonce) {
    /** The id of the object (datanet, contribution, model) this transaction creates. */
    Hash createdId(String kind) {
      return TxExecutor.objectId(kind, sender, nonce);
    }
  }

  private final RpcClient client;
  private final PrivateKey key;
  private final long chainId;
  private final BigInteger fee;
  private long nextNonce;

  TxSender(RpcClient client, PrivateKey key, long chainId, long firstNonce, BigInteger fee) {
    this.client = client;
    this.key = key;
    this.chainId = chainId;
    this.nextNonce = firstNonce;
    this.fee = fee;
  }

  long chainId() {
    return chainId;
  }

  Address address() {
    return key.address();
  }

  RpcClient client() {
    return client;
  }

  BigInteger fee() {
    return fee;
  }

  /** The nonce the next {@link #send} uses. */
  long nextNonce() {
    return nextNonce;
  }

  /**
   * Signs and sends the body {@code build} makes with the next nonce.
   *
   * @throws io.ascribe.node.client.RpcClientException when the node refuses it (the nonce is then
   *     not used up)
   */
  Sent send(BodyFactory build) {
    SignedTransaction tx = SignedTransaction.sign(build.body(chainId, nextNonce, fee), key);
    String hash = client.call("ascribe_sendRawTransaction", Hex.encode(tx.encoded())).asText();
    return new Sent(hash, key.address(), nextNonce++);
  }

  /** The transaction's receipt once a block includes it. */
  JsonNode awaitReceipt(String hash) {
    Instant deadline = Instant.now().plus(RECEIPT_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      JsonNode receipt = client.call("ascribe_getTransactionReceipt", hash);
      if (!receipt.isNull() && !receipt.isMissingNode()) {
        return receipt;
      }
      // Polling is what a CLI can do over plain HTTP; blocks come every second or so.
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    throw new UserErrorException(
        "transaction "
            + hash
            + " was not included within "
            + RECEIPT_TIMEOUT.toSeconds()
            + " s; check it later with ascribe_getTransactionReceipt");
  }
}
