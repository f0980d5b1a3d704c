package io.ascribe.node.producer;

import com.google.protobuf.ByteString;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.CommitSig;
import io.ascribe.core.proto.Vote;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.node.mempool.Mempool;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces and commits blocks as the only validator: takes the mempool's best candidates, executes
 * them, signs the precommit (and, at an epoch's last block, the epoch root beside it, as every
 * validator does in consensus), commits, and tells listeners. This is the one-validator case; the
 * consensus engine replaces the signing step with a round of votes when there are several.
 */
public final class BlockProducer {
  private static final Logger LOG = LoggerFactory.getLogger(BlockProducer.class);

  private final Ledger ledger;
  private final Mempool mempool;
  private final PrivateKey validatorKey;
  private final Clock clock;
  private final Consumer<CommittedBlock> listener;

  /** A committed block, its commit, and how long producing it took. */
  public record CommittedBlock(
      ExecutedBlock block, Commit commit, long executeNanos, long commitNanos) {}

  public BlockProducer(
      Ledger ledger,
      Mempool mempool,
      PrivateKey validatorKey,
      Clock clock,
      Consumer<CommittedBlock> listener) {
    this.ledger = ledger;
    this.mempool = mempool;
    this.validatorKey = validatorKey;
    this.clock = clock;
    this.listener = listener;
  }

  /** Produces, commits and announces one block. */
  public CommittedBlock produce() {
    long start = System.nanoTime();
    int max = ledger.genesis().params().maxBlockTxs();
    List<SignedTransaction> candidates = mempool.candidates(max, ledger);
    ExecutedBlock block = ledger.propose(candidates, clock.millis(), validatorKey.address());
    Commit commit = sign(block);
    long executed = System.nanoTime();
    ledger.commit(block, commit);
    long committed = System.nanoTime();
    mempool.update(
        block.changedAccounts().keySet(),
        block.rejected().stream().map(ExecutedBlock.Rejected::tx).toList(),
        ledger);
    for (ExecutedBlock.Rejected rejected : block.rejected()) {
      LOG.info("Dropped transaction {}: {}", rejected.tx().hash(), rejected.reason());
    }
    CommittedBlock result =
        new CommittedBlock(block, commit, executed - start, committed - executed);
    if (!block.receipts().isEmpty() || LOG.isDebugEnabled()) {
      LOG.info(
          "Committed block {} with {} txs in {} ms (hash {})",
          block.height(),
          block.receipts().size(),
          (committed - start) / 1_000_000,
          block.hash());
    }
    listener.accept(result);
    return result;
  }

  private Commit sign(ExecutedBlock block) {
    ByteString blockHash = ByteString.copyFrom(block.hash().toArray());
    Vote precommit =
        BlockHashing.precommit(ledger.genesis().chainId(), block.height(), 0, block.hash());
    byte[] signature = validatorKey.sign(BlockHashing.voteDigest(precommit)).toBytes();
    CommitSig.Builder sig =
        CommitSig.newBuilder()
            .setValidator(ByteString.copyFrom(validatorKey.address().toArray()))
            .setSignature(ByteString.copyFrom(signature));
    ledger
        .precommitDigest(block)
        .ifPresent(
            digest ->
                sig.setEpochRootSignature(
                    ByteString.copyFrom(validatorKey.sign(digest).toBytes())));
    return Commit.newBuilder()
        .setHeight(block.height())
        .setRound(0)
        .setBlockHash(blockHash)
        .addSignatures(sig)
        .build();
  }
}
