package io.ascribe.node.executor;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.exec.TxRejectedException;
import io.ascribe.node.mempool.Mempool;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Signs the node's AI-work transactions (capability, results, verdicts) with its key at its next
 * nonce, and puts them in its mempool and on the wire, as a client's transaction would go. Each
 * pays the chain's minimum fee from the node's account.
 */
public final class WorkSubmitter {
  private final Ledger ledger;
  private final Mempool mempool;
  private final PrivateKey key;
  private final Consumer<SignedTransaction> gossip;

  public WorkSubmitter(
      Ledger ledger, Mempool mempool, PrivateKey key, Consumer<SignedTransaction> gossip) {
    this.ledger = ledger;
    this.mempool = mempool;
    this.key = key;
    this.gossip = gossip;
  }

  public Address self() {
    return key.address();
  }

  public long chainId() {
    return ledger.genesis().chainId();
  }

  public java.math.BigInteger fee() {
    return ledger.genesis().params().minFee();
  }

  /** The transaction {@code body} builds at this node's next nonce, signed. */
  public SignedTransaction sign(LongFunction<TxBody> body) {
    long nonce = mempool.nextNonce(self(), ledger.account(self()).nonce());
    return SignedTransaction.sign(body.apply(nonce), key);
  }

  /**
   * Submits {@code tx} to the mempool and the peers.
   *
   * @throws TxRejectedException when the mempool refuses it (say, the balance cannot pay its fee)
   */
  public void submit(SignedTransaction tx) {
    mempool.add(tx, self(), ledger);
    gossip.accept(tx);
  }

  public boolean pending(Hash tx) {
    return mempool.contains(tx);
  }

  /**
   * {@code tx} to submit again after it left the mempool unincluded: as it was while its nonce is
   * still unused, else the same body signed at this account's next nonce.
   */
  public SignedTransaction again(SignedTransaction tx) {
    if (tx.body().getNonce() >= ledger.account(self()).nonce()) {
      return tx;
    }
    return sign(nonce -> tx.body().toBuilder().setNonce(nonce).build());
  }
}
