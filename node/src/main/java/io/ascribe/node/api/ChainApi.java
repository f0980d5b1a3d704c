package io.ascribe.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ascribe.core.proto.Block;
import io.ascribe.core.state.AccountProofJson;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.exec.TxReceipt;
import io.ascribe.ledger.exec.TxRejectedException;
import io.ascribe.node.mempool.Mempool;
import io.ascribe.node.rpc.BlockTag;
import io.ascribe.node.rpc.Params;
import io.ascribe.node.rpc.RpcException;
import io.ascribe.node.rpc.RpcRegistry;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The chain's JSON-RPC methods ({@code ascribe_*}): reads of blocks, accounts, receipts and proofs,
 * and transaction submission into the mempool. Quantities are Ethereum-style hex.
 */
public final class ChainApi {
  /** Server-defined JSON-RPC error: the transaction is well-formed but cannot be accepted now. */
  public static final int TX_REJECTED = -32000;

  /** Server-defined JSON-RPC error: the request asks for state this node does not keep. */
  public static final int UNAVAILABLE = -32001;

  /**
   * Server-defined JSON-RPC error: nothing is there (no object has the given id, the epoch has not
   * ended, the account earned nothing by it).
   */
  public static final int NOT_FOUND = -32002;

  private final Ledger ledger;
  private final Mempool mempool;
  private final Consumer<SignedTransaction> onAccepted;

  /** {@code onAccepted} hears each transaction the mempool took from a client (to gossip it). */
  public ChainApi(Ledger ledger, Mempool mempool, Consumer<SignedTransaction> onAccepted) {
    this.ledger = ledger;
    this.mempool = mempool;
    this.onAccepted = onAccepted;
  }

  public void register(RpcRegistry registry) {
    registry
        .register("ascribe_chainId", p -> text(Quantities.toHex(ledger.genesis().chainId())))
        .register("ascribe_blockNumber", p -> text(Quantities.toHex(ledger.height())))
        .register("ascribe_minFee", p -> text(Quantities.toHex(ledger.genesis().params().minFee())))
        .register("ascribe_getBlockByNumber", this::getBlockByNumber)
        .register("ascribe_getBalance", this::getBalance)
        .register("ascribe_getNonce", this::getNonce)
        .register("ascribe_sendRawTransaction", this::sendRawTransaction)
        .register("ascribe_getTransactionReceipt", this::getTransactionReceipt)
        .register("ascribe_getProof", this::getProof);
  }

  private static JsonNode text(String value) {
    return TextNode.valueOf(value);
  }

  private JsonNode getBlockByNumber(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    long height = height(params.blockTag(0, "block"));
    boolean full = params.optionalBool(1, "fullTransactions").orElse(false);
    Optional<Block> block = ledger.block(height);
    if (block.isEmpty()) {
      return NullNode.getInstance();
    }
    Hash hash = io.ascribe.core.block.BlockHashing.headerHash(block.get().getHeader());
    return ChainJson.block(block.get(), hash, ledger.commitOf(height), full);
  }

  private long height(BlockTag tag) {
    return switch (tag) {
      case BlockTag.Latest latest -> ledger.height();
      case BlockTag.Earliest earliest -> 0;
      case BlockTag.Number number -> number.number();
    };
  }

  /** Account reads answer for the latest state only; the node keeps no historical state. */
  private void requireLatest(Params params, int index) {
    if (params.size() > index) {
      BlockTag tag = params.optionalBlockTag(index, "block");
      boolean latest =
          tag instanceof BlockTag.Latest
              || (tag instanceof BlockTag.Number n && n.number() == ledger.height());
      if (!latest) {
        throw new RpcException(
            UNAVAILABLE,
            "this node keeps the latest state only: ask for \"latest\" or omit the block");
      }
    }
  }

  private JsonNode getBalance(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Address address = params.address(0, "address");
    requireLatest(params, 1);
    return text(Quantities.toHex(ledger.account(address).balance()));
  }

  private JsonNode getNonce(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Address address = params.address(0, "address");
    long committed = ledger.account(address).nonce();
    if (params.size() > 1
        && params.raw(1, "block").isTextual()
        && "pending".equals(params.string(1, "block"))) {
      return text(Quantities.toHex(mempool.nextNonce(address, committed)));
    }
    requireLatest(params, 1);
    return text(Quantities.toHex(committed));
  }

  private JsonNode sendRawTransaction(JsonNode raw) {
    Params params = Params.of(raw).atMost(1);
    byte[] bytes = params.hexBytes(0, "signedTransaction");
    SignedTransaction tx;
    try {
      tx = SignedTransaction.decode(bytes);
    } catch (IllegalArgumentException e) {
      throw RpcException.invalidParams("invalid transaction: " + e.getMessage());
    }
    Address sender;
    try {
      sender = tx.sender();
    } catch (IllegalArgumentException e) {
      throw RpcException.invalidParams("invalid transaction signature: " + e.getMessage());
    }
    try {
      mempool.add(tx, sender, ledger);
    } catch (TxRejectedException e) {
      throw new RpcException(TX_REJECTED, "transaction rejected: " + e.getMessage());
    }
    onAccepted.accept(tx);
    return text(tx.hash().toHex());
  }

  private JsonNode getTransactionReceipt(JsonNode raw) {
    Params params = Params.of(raw).atMost(1);
    Hash hash = params.hash(0, "transactionHash");
    Optional<TxReceipt> receipt = ledger.receipt(hash);
    // A receipt is on disk a moment before its block becomes the head; answer once both agree.
    if (receipt.isEmpty() || receipt.get().height() > ledger.height()) {
      return NullNode.getInstance();
    }
    Hash blockHash =
        ledger
            .block(receipt.get().height())
            .map(b -> io.ascribe.core.block.BlockHashing.headerHash(b.getHeader()))
            .orElse(Hash.ZERO);
    return ChainJson.receipt(receipt.get(), blockHash);
  }

  private JsonNode getProof(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Address address = params.address(0, "address");
    requireLatest(params, 1);
    return AccountProofJson.toJson(ledger.proof(address));
  }
}
