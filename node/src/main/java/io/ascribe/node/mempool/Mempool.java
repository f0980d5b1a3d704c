package io.ascribe.node.mempool;

import io.ascribe.core.block.BlockLimits;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.exec.StateReader;
import io.ascribe.ledger.exec.TxExecutor;
import io.ascribe.ledger.exec.TxRejectedException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Transactions waiting for a block. Admission checks everything that can be checked before
 * execution (chain, nonce window, fee, funds for this and the sender's earlier pending
 * transactions); the signature was checked by the caller when it recovered the sender, which the
 * RPC does on its worker threads, in parallel. Transactions with a nonce gap are held until the gap
 * fills. A transaction for a nonce already pending replaces it only with a higher fee.
 */
public final class Mempool {
  private final long chainId;
  private final BigInteger minFee;
  private final MempoolLimits limits;
  private final Clock clock;
  private final Map<Address, NavigableMap<Long, Entry>> bySender = new HashMap<>();
  private final Map<Hash, Entry> byHash = new HashMap<>();
  private long sequence;

  private record Entry(
      SignedTransaction tx, Address sender, BigInteger fee, Instant added, long seq) {
    long nonce() {
      return tx.body().getNonce();
    }
  }

  /** What happened to an admitted transaction. */
  public enum Admission {
    ADDED,
    REPLACED
  }

  public Mempool(long chainId, BigInteger minFee, MempoolLimits limits, Clock clock) {
    this.chainId = chainId;
    this.minFee = minFee;
    this.limits = limits;
    this.clock = clock;
  }

  /**
   * Admits a transaction whose sender has been recovered.
   *
   * @throws TxRejectedException saying why it cannot wait for a block
   */
  public synchronized Admission add(SignedTransaction tx, Address sender, StateReader state) {
    TxBody body = tx.body();
    if (tx.encoded().length > BlockLimits.MAX_TX_BYTES) {
      throw new TxRejectedException(
          "transaction is "
              + tx.encoded().length
              + " bytes, over the "
              + BlockLimits.MAX_TX_BYTES
              + "-byte limit a block can carry: split what it carries over several transactions");
    }
    if (body.getChainId() != chainId) {
      throw new TxRejectedException(
          "wrong chain id " + body.getChainId() + ": this chain is " + chainId);
    }
    if (byHash.containsKey(tx.hash())) {
      throw new TxRejectedException("transaction " + tx.hash() + " is already pending");
    }
    AccountState account = state.account(sender);
    long nonce = body.getNonce();
    if (nonce < account.nonce()) {
      throw new TxRejectedException(
          "nonce " + nonce + " was already used: the sender's next nonce is " + account.nonce());
    }
    if (nonce > account.nonce() + limits.maxNonceGap()) {
      throw new TxRejectedException(
          "nonce "
              + nonce
              + " is too far ahead: the sender's next nonce is "
              + account.nonce()
              + " and at most "
              + limits.maxNonceGap()
              + " may wait");
    }
    BigInteger fee = TxExecutor.fee(tx);
    if (fee.compareTo(minFee) < 0) {
      throw new TxRejectedException(
          "fee "
              + Amount.formatOpen(fee)
              + " OPEN is below the minimum fee "
              + Amount.formatOpen(minFee)
              + " OPEN");
    }
    NavigableMap<Long, Entry> pending = bySender.computeIfAbsent(sender, s -> new TreeMap<>());
    Entry existing = pending.get(nonce);
    if (existing != null) {
      BigInteger needed =
          existing
              .fee()
              .multiply(BigInteger.valueOf(100L + limits.replacementBumpPercent()))
              .divide(BigInteger.valueOf(100));
      if (fee.compareTo(needed) < 0) {
        throw new TxRejectedException(
            "a transaction with nonce "
                + nonce
                + " is already pending; a replacement must offer at least "
                + Amount.formatOpen(needed)
                + " OPEN fee");
      }
    } else if (pending.size() >= limits.maxPerSender()) {
      throw new TxRejectedException(
          "the sender already has " + pending.size() + " pending transactions (the limit)");
    }
    BigInteger earlier = BigInteger.ZERO;
    for (Entry e : pending.headMap(nonce, false).values()) {
      earlier = earlier.add(cost(e.tx(), e.fee()));
    }
    BigInteger needed = earlier.add(cost(tx, fee));
    if (account.balance().compareTo(needed) < 0) {
      throw new TxRejectedException(
          "insufficient balance: the sender has "
              + Amount.formatOpen(account.balance())
              + " OPEN and this transaction with the sender's earlier pending ones needs "
              + Amount.formatOpen(needed)
              + " OPEN");
    }
    if (existing == null && byHash.size() >= limits.maxTotal() && !evictCheapestBelow(fee)) {
      throw new TxRejectedException("the mempool is full; offer a higher fee or retry later");
    }
    Entry entry = new Entry(tx, sender, fee, clock.instant(), sequence++);
    if (existing != null) {
      byHash.remove(existing.tx().hash());
    }
    pending.put(nonce, entry);
    byHash.put(tx.hash(), entry);
    return existing == null ? Admission.ADDED : Admission.REPLACED;
  }

  /** Fee plus the value the transaction moves out of the balance. */
  private static BigInteger cost(SignedTransaction tx, BigInteger fee) {
    TxBody body = tx.body();
    return switch (body.getKindCase()) {
      case TRANSFER ->
          fee.add(Amount.decode(body.getTransfer().getAmount().toByteArray(), "amount"));
      case STAKE -> fee.add(Amount.decode(body.getStake().getAmount().toByteArray(), "amount"));
      case CONTRIBUTE ->
          fee.add(Amount.decode(body.getContribute().getBond().toByteArray(), "bond"));
      case SUBMIT_TUNING_JOB ->
          fee.add(Amount.decode(body.getSubmitTuningJob().getEscrow().toByteArray(), "escrow"));
      // A capability's bond is a genesis parameter the pool does not hold; execution checks it.
      case CHALLENGE_RECEIPT ->
          fee.add(Amount.decode(body.getChallengeReceipt().getBond().toByteArray(), "bond"));
      // A receipt batch's request fees come from its users' balances, not the executor's.
      case WITHDRAW_TO_EVM ->
          fee.add(Amount.decode(body.getWithdrawToEvm().getAmount().toByteArray(), "amount"));
      case UNSTAKE,
          CREATE_DATANET,
          WITHDRAW_CONTRIBUTION,
          REGISTER_MODEL,
          DECLARE_CAPABILITY,
          POST_TUNING_RESULT,
          ATTEST,
          SUBMIT_INFERENCE_RECEIPTS,
          VOTE_ON_CHALLENGE,
          SUBMIT_EVIDENCE,
          ATTEST_DEPOSIT,
          KIND_NOT_SET ->
          fee;
    };
  }

  /** Drops the pool's cheapest last-in-line transaction if it pays less than {@code fee}. */
  private boolean evictCheapestBelow(BigInteger fee) {
    Entry cheapest = null;
    for (NavigableMap<Long, Entry> pending : bySender.values()) {
      if (pending.isEmpty()) {
        continue;
      }
      Entry last = pending.lastEntry().getValue();
      if (cheapest == null || last.fee().compareTo(cheapest.fee()) < 0) {
        cheapest = last;
      }
    }
    if (cheapest == null || cheapest.fee().compareTo(fee) >= 0) {
      return false;
    }
    remove(cheapest);
    return true;
  }

  /**
   * Up to {@code max} transactions ready to execute, in nonce order per sender, the highest fee
   * first across senders (ties go to the earliest arrival).
   */
  public synchronized List<SignedTransaction> candidates(int max, StateReader state) {
    record Cursor(Iterator<Entry> rest, Entry head) {}
    PriorityQueue<Cursor> queue =
        new PriorityQueue<>(
            Comparator.comparing((Cursor c) -> c.head().fee())
                .reversed()
                .thenComparingLong(c -> c.head().seq()));
    for (Map.Entry<Address, NavigableMap<Long, Entry>> e : bySender.entrySet()) {
      long next = state.account(e.getKey()).nonce();
      Iterator<Entry> it = e.getValue().tailMap(next, true).values().iterator();
      if (it.hasNext()) {
        Entry first = it.next();
        if (first.nonce() == next) {
          queue.add(new Cursor(it, first));
        }
      }
    }
    List<SignedTransaction> out = new ArrayList<>();
    while (!queue.isEmpty() && out.size() < max) {
      Cursor c = queue.poll();
      out.add(c.head().tx());
      if (c.rest().hasNext()) {
        Entry following = c.rest().next();
        if (following.nonce() == c.head().nonce() + 1) {
          queue.add(new Cursor(c.rest(), following));
        }
      }
    }
    return out;
  }

  /**
   * Forgets what a committed block made obsolete (nonces now used), what the proposer found
   * unincludable, and whatever waited longer than the maximum age.
   */
  public synchronized void update(
      Collection<Address> touched, Collection<SignedTransaction> unincludable, StateReader state) {
    for (Address sender : touched) {
      NavigableMap<Long, Entry> pending = bySender.get(sender);
      if (pending == null) {
        continue;
      }
      long next = state.account(sender).nonce();
      for (Entry stale : List.copyOf(pending.headMap(next, false).values())) {
        remove(stale);
      }
    }
    for (SignedTransaction tx : unincludable) {
      Entry entry = byHash.get(tx.hash());
      if (entry != null) {
        remove(entry);
      }
    }
    Instant cutoff = clock.instant().minus(limits.maxAge());
    for (Entry old : List.copyOf(byHash.values())) {
      if (old.added().isBefore(cutoff)) {
        remove(old);
      }
    }
  }

  private void remove(Entry entry) {
    byHash.remove(entry.tx().hash());
    NavigableMap<Long, Entry> pending = bySender.get(entry.sender());
    if (pending != null) {
      pending.remove(entry.nonce(), entry);
      if (pending.isEmpty()) {
        bySender.remove(entry.sender());
      }
    }
  }

  /** The sender's next nonce counting its pending transactions that follow on without a gap. */
  public synchronized long nextNonce(Address sender, long committedNonce) {
    NavigableMap<Long, Entry> pending = bySender.get(sender);
    long next = committedNonce;
    while (pending != null && pending.containsKey(next)) {
      next++;
    }
    return next;
  }

  public synchronized int size() {
    return byHash.size();
  }

  public synchronized boolean contains(Hash txHash) {
    return byHash.containsKey(txHash);
  }

  /** The pending transaction with this hash (its sender already recovered), or null. */
  public synchronized SignedTransaction get(Hash txHash) {
    Entry entry = byHash.get(txHash);
    return entry == null ? null : entry.tx();
  }
}
