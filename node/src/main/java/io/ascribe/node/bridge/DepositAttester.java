package io.ascribe.node.bridge;

import io.ascribe.contracts.settlement.BridgeDeposit;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.DepositAttestations;
import io.ascribe.ledger.ai.EvmDeposit;
import io.ascribe.ledger.exec.TxReceipt;
import io.ascribe.ledger.exec.TxRejectedException;
import io.ascribe.node.mempool.Mempool;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A validator's side of deposits: keeps the confirmed deposits the EVM watcher reports in its
 * {@link PendingDeposits}, and for each one the ledger does not show settled yet submits an {@code
 * AttestDeposit} signed by the node key into the node's mempool, gossiped like any transaction. A
 * deposit is settled once the ledger holds this validator's attestation or has credited it; a
 * submitted attestation that left the mempool without being included is submitted again.
 *
 * <p>Attestations pay the chain's minimum fee from the validator's balance, as every transaction
 * does. Not thread-safe: one thread (the bridge's) calls it.
 */
final class DepositAttester {
  private static final Logger LOG = LoggerFactory.getLogger(DepositAttester.class);

  private final Ledger ledger;
  private final Mempool mempool;
  private final PrivateKey key;
  private final Consumer<SignedTransaction> gossip;
  private final PendingDeposits pending;
  private final Genesis.Bridge bridge;
  private final Map<Long, Hash> submitted = new HashMap<>();
  private String lastProblem = "";

  /**
   * @param gossip sends a transaction this node submitted to its peers
   */
  DepositAttester(
      Ledger ledger,
      Mempool mempool,
      PrivateKey key,
      Consumer<SignedTransaction> gossip,
      PendingDeposits pending) {
    this.ledger = ledger;
    this.mempool = mempool;
    this.key = key;
    this.gossip = gossip;
    this.pending = pending;
    this.bridge =
        ledger
            .genesis()
            .bridge()
            .orElseThrow(() -> new IllegalArgumentException("the genesis has no bridge section"));
  }

  /** Takes deposits the watcher found confirmed; they are on disk when this returns. */
  void take(List<BridgeDeposit> deposits) {
    pending.addAll(deposits.stream().map(this::content).toList());
  }

  private EvmDeposit content(BridgeDeposit d) {
    return new EvmDeposit(
        bridge.evmChainId(),
        bridge.address(),
        d.nonce().longValueExact(),
        d.from(),
        d.ascribeRecipient(),
        d.amount(),
        d.transactionHash(),
        d.blockHash());
  }

  /** Forgets the pending deposits the ledger shows settled and attests the others. */
  void attestPending() {
    Address self = key.address();
    long next = ledger.system().bridge().nextDeposit();
    boolean validator = ledger.system().validators().find(self).isPresent();
    for (EvmDeposit deposit : pending.all()) {
      long number = deposit.number();
      if (settled(number, next)) {
        forget(number);
        continue;
      }
      Hash sent = submitted.get(number);
      if (sent != null) {
        if (mempool.contains(sent)) {
          continue;
        }
        Optional<TxReceipt> receipt = ledger.receipt(sent);
        if (receipt.isPresent()) {
          if (!receipt.get().success()) {
            LOG.warn("The attestation of deposit {} failed: {}", number, receipt.get().error());
          }
          forget(number);
          continue;
        }
      }
      if (!validator) {
        problem(
            "this node ("
                + self
                + ") is not in the validator set: it keeps the deposits it sees and attests them"
                + " once it is");
        continue;
      }
      if (!submit(deposit)) {
        return;
      }
    }
  }

  /** Whether the ledger holds this validator's attestation of the deposit or has credited it. */
  private boolean settled(long number, long nextUncredited) {
    if (number < nextUncredited) {
      return true;
    }
    Optional<DepositAttestations> record = ledger.deposit(number);
    return record.isPresent()
        && (record.get().credited() || record.get().claimOf(key.address()).isPresent());
  }

  private boolean submit(EvmDeposit deposit) {
    Address self = key.address();
    long nonce = mempool.nextNonce(self, ledger.account(self).nonce());
    SignedTransaction tx =
        SignedTransaction.sign(
            TxBodies.attestDeposit(
                ledger.genesis().chainId(),
                nonce,
                ledger.genesis().params().minFee(),
                deposit.toProto()),
            key);
    try {
      mempool.add(tx, self, ledger);
    } catch (TxRejectedException e) {
      problem(
          "cannot submit the attestation of deposit "
              + deposit.number()
              + ": "
              + e.getMessage()
              + " (the validator account "
              + self
              + " pays each attestation's fee; fund it if its balance is short)");
      return false;
    }
    gossip.accept(tx);
    submitted.put(deposit.number(), tx.hash());
    lastProblem = "";
    LOG.info(
        "Attested deposit {}: {} OPEN for {} (EVM transaction {}) in transaction {}",
        deposit.number(),
        Amount.formatOpen(deposit.amount()),
        deposit.recipient(),
        deposit.evmTxHash(),
        tx.hash());
    return true;
  }

  private void forget(long number) {
    pending.remove(number);
    submitted.remove(number);
  }

  /** Logs {@code message} unless it is the problem logged last, so a lasting one is said once. */
  private void problem(String message) {
    if (!message.equals(lastProblem)) {
      LOG.warn("Deposits: {}", message);
      lastProblem = message;
    }
  }
}
