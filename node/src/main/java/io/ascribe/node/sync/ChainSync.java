package io.ascribe.node.sync;

import com.google.protobuf.ByteString;
import io.ascribe.core.block.BlockLimits;
import io.ascribe.core.proto.Block;
import io.ascribe.core.proto.BlockRequest;
import io.ascribe.core.proto.BlockResponse;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.CommittedBlock;
import io.ascribe.core.proto.NewHead;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.proto.SignedTx;
import io.ascribe.core.proto.TxBatch;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.InvalidBlockException;
import io.ascribe.ledger.exec.TxRejectedException;
import io.ascribe.node.mempool.Mempool;
import io.ascribe.p2p.Misbehaviour;
import io.ascribe.p2p.Peer;
import io.ascribe.p2p.PeerListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node's chain and mempool in step with its peers. It announces each committed head, serves
 * committed blocks with their commits, and gossips transactions (each forwarded once, after the
 * mempool took it). A node that imports blocks (a full node) asks the peer that is furthest ahead
 * for the next batch, re-executes each block and checks its commit before committing it; a peer
 * that serves an invalid block or transaction is charged and dropped. Block imports run on one
 * thread of their own, the ledger's only writer in such a node.
 */
public final class ChainSync implements PeerListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChainSync.class);
  private static final int BATCH = 64;
  private static final int RESPONSE_BYTES = 2 * 1024 * 1024;

  /** Transactions to gossip are sent in batches this often, and at most this many a message. */
  private static final long GOSSIP_FLUSH_MS = 5;

  private static final int GOSSIP_BATCH = 512;

  /** Bytes of transactions per gossip batch, well inside a frame (one transaction fits alone). */
  private static final int GOSSIP_BATCH_BYTES = 2 * BlockLimits.MAX_TX_BYTES;

  /** A transaction to gossip, and the peer it came from (null for a client's), which has it. */
  private record Outgoing(SignedTx tx, Address from) {}

  private static final int MAX_QUEUED_IN = 100_000;

  private final Queue<Outgoing> outgoing = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedIn = new AtomicInteger();
  private final ScheduledExecutorService gossiper =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "tx-gossip");
            t.setDaemon(true);
            return t;
          });

  private final Ledger ledger;
  private final Mempool mempool;
  private final Optional<Importer> importer;
  private final Consumer<ExecutedBlock> onImported;
  private final Map<Address, PeerState> peers = new ConcurrentHashMap<>();
  private final AtomicBoolean requesting = new AtomicBoolean();
  private volatile Address requestedFrom;

  private static final class PeerState {
    final Peer peer;
    volatile long height;

    PeerState(Peer peer) {
      this.peer = peer;
    }
  }

  /**
   * How this node imports blocks: on which thread (the ledger's only writer), and what to do after
   * a batch (a validator rejoins consensus at its new height).
   */
  public record Importer(Executor executor, Runnable afterBatch) {
    /** A full node's importer: a thread of its own and nothing to do after. */
    public static Importer ownThread() {
      return new Importer(
          Executors.newSingleThreadExecutor(r -> new Thread(r, "block-import")), () -> {});
    }
  }

  /**
   * @param importer empty for the chain's sole validator, which never imports
   */
  public ChainSync(
      Ledger ledger,
      Mempool mempool,
      Optional<Importer> importer,
      Consumer<ExecutedBlock> onImported) {
    this.ledger = ledger;
    this.mempool = mempool;
    this.importer = importer;
    this.onImported = onImported;
    gossiper.scheduleWithFixedDelay(
        this::flushGossip, GOSSIP_FLUSH_MS, GOSSIP_FLUSH_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onPeer(Peer peer) {
    // A second connection from the same node keeps what the first one announced: its head only
    // grows, and messages still arriving on the first are judged against it.
    peers.compute(
        peer.nodeId(),
        (id, old) -> {
          PeerState state = new PeerState(peer);
          state.height = old == null ? 0 : old.height;
          return state;
        });
    peer.send(newHead(ledger.height(), ledger.headHash()));
  }

  @Override
  public void onDisconnect(Peer peer, String reason) {
    peers.remove(peer.nodeId());
    // A request the peer will now never answer must not block syncing from the others.
    if (peer.nodeId().equals(requestedFrom) && requesting.compareAndSet(true, false)) {
      requestIfBehind();
    }
  }

  /** True while a connection to this node id is up. */
  public boolean isConnected(Address nodeId) {
    PeerState state = peers.get(nodeId);
    return state != null && state.peer.isConnected();
  }

  /**
   * The highest head a connected peer has announced, empty when it is not connected. Every peer
   * announces its head first thing, before any consensus message, so a peer's honest consensus
   * messages are never for a height past this one plus one.
   */
  public OptionalLong announcedHeight(Address nodeId) {
    PeerState state = peers.get(nodeId);
    return state == null ? OptionalLong.empty() : OptionalLong.of(state.height);
  }

  public int peerCount() {
    return peers.size();
  }

  /** The peers connected now, one connection per node id. */
  public List<Peer> peers() {
    return peers.values().stream().map(state -> state.peer).filter(Peer::isConnected).toList();
  }

  @Override
  public void onMessage(Peer peer, PeerMessage message) {
    switch (message.getKindCase()) {
      case NEW_HEAD -> {
        PeerState state = peers.get(peer.nodeId());
        if (state != null) {
          state.height = Math.max(state.height, message.getNewHead().getHeight());
        }
        requestIfBehind();
      }
      case BLOCK_REQUEST -> serve(peer, message.getBlockRequest());
      case BLOCK_RESPONSE ->
          importer.ifPresent(
              i -> i.executor().execute(() -> importBlocks(peer, message.getBlockResponse())));
      case TX -> receiveTxs(peer, List.of(message.getTx()));
      case TX_BATCH -> receiveTxs(peer, message.getTxBatch().getTxsList());
      default -> {
        // Pongs and messages for layers not built yet (consensus) are not this service's.
      }
    }
  }

  /** Tells peers about a block this node committed. */
  public void announce(ExecutedBlock block) {
    broadcast(newHead(block.height(), block.hash()), Optional.empty());
  }

  /** Gossips a transaction the mempool accepted from a client. */
  public void gossip(SignedTransaction tx) {
    outgoing.add(new Outgoing(tx.envelope(), null));
  }

  /** Sends each peer the transactions queued since the last flush that it did not send us. */
  private void flushGossip() {
    try {
      List<Outgoing> drained = new ArrayList<>();
      for (Outgoing o = outgoing.poll(); o != null; o = outgoing.poll()) {
        drained.add(o);
      }
      if (drained.isEmpty()) {
        return;
      }
      for (PeerState state : peers.values()) {
        Address to = state.peer.nodeId();
        TxBatch.Builder batch = TxBatch.newBuilder();
        long batchBytes = 0;
        for (Outgoing o : drained) {
          if (!to.equals(o.from())) {
            int size = o.tx().getSerializedSize();
            // Flushed before it would outgrow a frame: large transactions go in smaller batches.
            if (batch.getTxsCount() > 0 && batchBytes + size > GOSSIP_BATCH_BYTES) {
              state.peer.send(PeerMessage.newBuilder().setTxBatch(batch).build());
              batch = TxBatch.newBuilder();
              batchBytes = 0;
            }
            batch.addTxs(o.tx());
            batchBytes += size;
            if (batch.getTxsCount() == GOSSIP_BATCH) {
              state.peer.send(PeerMessage.newBuilder().setTxBatch(batch).build());
              batch = TxBatch.newBuilder();
              batchBytes = 0;
            }
          }
        }
        if (batch.getTxsCount() > 0) {
          state.peer.send(PeerMessage.newBuilder().setTxBatch(batch).build());
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Gossiping transactions failed", e);
    }
  }

  /** Sends a message to every connected peer. */
  public void broadcast(PeerMessage message) {
    broadcast(message, Optional.empty());
  }

  private void broadcast(PeerMessage message, Optional<Address> except) {
    for (PeerState state : peers.values()) {
      if (except.isEmpty() || !except.get().equals(state.peer.nodeId())) {
        state.peer.send(message);
      }
    }
  }

  private static PeerMessage newHead(long height, Hash hash) {
    return PeerMessage.newBuilder()
        .setNewHead(
            NewHead.newBuilder().setHeight(height).setHash(ByteString.copyFrom(hash.toArray())))
        .build();
  }

  /**
   * Takes gossiped transactions on the gossip thread, not the network thread that read them:
   * recovering thousands of senders there would hold up the consensus messages queued behind them
   * on the same connection. Gossip is best effort, so past a bound of queued transactions more are
   * dropped rather than queued.
   */
  private void receiveTxs(Peer peer, List<SignedTx> txs) {
    if (queuedIn.addAndGet(txs.size()) > MAX_QUEUED_IN) {
      queuedIn.addAndGet(-txs.size());
      return;
    }
    try {
      gossiper.execute(
          () -> {
            try {
              for (SignedTx tx : txs) {
                if (!receiveTx(peer, tx)) {
                  return;
                }
              }
            } finally {
              queuedIn.addAndGet(-txs.size());
            }
          });
    } catch (RejectedExecutionException closed) {
      queuedIn.addAndGet(-txs.size());
    }
  }

  /** Takes a gossiped transaction; false when it was invalid and the peer was charged. */
  private boolean receiveTx(Peer peer, SignedTx envelope) {
    SignedTransaction tx;
    try {
      tx = SignedTransaction.decode(envelope);
      // Each transaction reaches a node from several peers; only the first copy is worth the
      // costly recovery of its sender.
      // Nor is a copy that arrives after a block already included it (behind a burst, many do).
      if (mempool.contains(tx.hash()) || ledger.receipt(tx.hash()).isPresent()) {
        return true;
      }
      tx.sender();
    } catch (IllegalArgumentException e) {
      peer.penalise(
          Misbehaviour.INVALID_SIGNATURE, "it sent an invalid transaction: " + e.getMessage());
      return false;
    }
    try {
      mempool.add(tx, tx.sender(), ledger);
    } catch (TxRejectedException stale) {
      // Usually a race with a block (a nonce just used); no fault of the peer, and not forwarded.
      return true;
    }
    outgoing.add(new Outgoing(envelope, peer.nodeId()));
    return true;
  }

  private void serve(Peer peer, BlockRequest request) {
    BlockResponse.Builder response = BlockResponse.newBuilder();
    int bytes = 0;
    long last =
        Math.min(
            ledger.height(), request.getFromHeight() + Math.min(BATCH, request.getMaxBlocks()) - 1);
    for (long h = Math.max(1, request.getFromHeight()); h <= last; h++) {
      Optional<Block> block = ledger.block(h);
      Optional<Commit> commit = ledger.commitOf(h);
      if (block.isEmpty() || commit.isEmpty()) {
        break;
      }
      CommittedBlock entry =
          CommittedBlock.newBuilder().setBlock(block.get()).setCommit(commit.get()).build();
      bytes += entry.getSerializedSize();
      if (bytes > RESPONSE_BYTES && response.getBlocksCount() > 0) {
        break;
      }
      response.addBlocks(entry);
    }
    peer.send(PeerMessage.newBuilder().setBlockResponse(response).build());
  }

  /** Asks the peer that is furthest ahead for the next blocks, one request at a time. */
  private void requestIfBehind() {
    if (importer.isEmpty()) {
      return;
    }
    long ours = ledger.height();
    PeerState best = null;
    for (PeerState state : peers.values()) {
      if (state.height > ours && (best == null || state.height > best.height)) {
        best = state;
      }
    }
    if (best != null && requesting.compareAndSet(false, true)) {
      requestedFrom = best.peer.nodeId();
      best.peer.send(
          PeerMessage.newBuilder()
              .setBlockRequest(
                  BlockRequest.newBuilder().setFromHeight(ours + 1).setMaxBlocks(BATCH))
              .build());
    }
  }

  private void importBlocks(Peer peer, BlockResponse response) {
    boolean imported = false;
    try {
      for (CommittedBlock entry : response.getBlocksList()) {
        long height = entry.getBlock().getHeader().getHeight();
        if (height <= ledger.height()) {
          continue;
        }
        try {
          ExecutedBlock block =
              ledger.importBlock(entry.getBlock(), entry.getCommit(), mempool::get);
          mempool.update(block.changedAccounts().keySet(), java.util.List.of(), ledger);
          onImported.accept(block);
          imported = true;
        } catch (InvalidBlockException e) {
          peer.penalise(
              Misbehaviour.INVALID_BLOCK,
              "it served an invalid block " + height + ": " + e.getMessage());
          // Forgotten now, not when its connection has closed: the next request, just below,
          // goes to another peer that is ahead, if there is one.
          peers.remove(peer.nodeId());
          break;
        }
      }
      if (imported) {
        LOG.info("Synced to height {} from {}", ledger.height(), peer.nodeId());
      }
    } finally {
      requesting.set(false);
      if (imported) {
        importer.orElseThrow().afterBatch().run();
      }
    }
    requestIfBehind();
  }

  @Override
  public void close() {
    gossiper.shutdownNow();
    importer.ifPresent(
        i -> {
          if (i.executor() instanceof ExecutorService own) {
            own.shutdownNow();
          }
        });
  }
}
