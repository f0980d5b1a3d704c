package io.ascribe.node.consensus;

import io.ascribe.consensus.Action;
import io.ascribe.consensus.DurableSigningGuard;
import io.ascribe.consensus.Event;
import io.ascribe.consensus.FileConsensusWal;
import io.ascribe.consensus.FileGuardStore;
import io.ascribe.consensus.JournaledMachine;
import io.ascribe.consensus.KeySigner;
import io.ascribe.consensus.Proposal;
import io.ascribe.consensus.SignedVote;
import io.ascribe.consensus.Step;
import io.ascribe.consensus.TendermintMachine;
import io.ascribe.consensus.TimeoutConfig;
import io.ascribe.consensus.Validators;
import io.ascribe.consensus.VoteVerifier;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Block;
import io.ascribe.core.proto.ConsensusProposal;
import io.ascribe.core.proto.ConsensusVote;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.InvalidBlockException;
import io.ascribe.node.mempool.Mempool;
import io.ascribe.p2p.Misbehaviour;
import io.ascribe.p2p.Peer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the Tendermint machine for a validator among several: feeds it proposals, votes and
 * timeouts on one thread, carries out what it asks (build or check a block with the ledger,
 * broadcast, schedule, commit, report a double sign as evidence), and journals through its
 * write-ahead log and signing guard so a restart never signs twice. Blocks travel with their
 * proposals; a validator that missed one catches up through block sync, whose imports run on this
 * same thread, the ledger's only writer.
 */
public final class ConsensusService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsensusService.class);
  private static final long REBROADCAST_MS = 1_000;

  /** Blocks kept for the height after the one being decided, from peers a little ahead. */
  private static final int MAX_NEXT_HEIGHT_BLOCKS = 16;

  /**
   * Every how many rebroadcasts the proposal carries its block again; the others resend only the
   * signed proposal, since a block of thousands of transactions costs every peer a megabytes-long
   * send and decode each time, and peers already hold it from the first send (or from {@link
   * #onPeer}). A peer that still lacks it gets it at the latest this many rebroadcasts later.
   */
  private static final int BLOCK_REBROADCAST_EVERY = 5;

  /**
   * Rebroadcasts into a height after which a node relays every proposal and vote it holds, not only
   * its own: a height that lasts this long has likely lost messages between validators that are not
   * linked directly.
   */
  private static final int RELAY_AFTER = 2;

  private final Ledger ledger;
  private final Mempool mempool;
  private final PrivateKey key;
  private final Path dir;
  private final TimeoutConfig timeouts;
  private final Clock clock;
  private final Consumer<PeerMessage> broadcast;
  private final Consumer<ExecutedBlock> onCommitted;
  private final EvidenceReporter evidence;
  private final ScheduledExecutorService thread =
      new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "consensus"));
  private final Map<Hash, Block> blocks = new HashMap<>();
  private final Map<Hash, ExecutedBlock> executed = new HashMap<>();
  private final Set<Hash> awaitingBlock = new HashSet<>();
  private FileConsensusWal wal;
  private JournaledMachine machine;
  private VoteVerifier verifier;
  private Validators currentValidators;
  private final HeightTiming timing = new HeightTiming();
  private int rebroadcasts;
  private volatile Status status;

  /**
   * Where this validator's consensus stands, as of the last event its machine handled: the height
   * it is deciding, the round and step within it, whether that height is decided (the node then
   * waits out the block time before the next), and when it started the height ({@link
   * System#nanoTime}). Readable from any thread.
   */
  public record Status(long height, int round, Step step, boolean decided, long heightStartNanos) {
    /** How long this node has been at its height, by its own monotonic clock. */
    public long millisAtHeight() {
      return (System.nanoTime() - heightStartNanos) / 1_000_000;
    }
  }

  /**
   * Milliseconds into the current height at which each stage was first reached (-1 until then), for
   * the one line logged per committed block: where a height's time goes.
   */
  private static final class HeightTiming {
    long start = System.nanoTime();
    long proposal = -1;
    long validated = -1;
    long verifyMs = -1;
    long prevote = -1;
    long precommit = -1;
    long decided = -1;

    void reset() {
      start = System.nanoTime();
      proposal = validated = verifyMs = prevote = precommit = decided = -1;
    }

    long now() {
      return (System.nanoTime() - start) / 1_000_000;
    }

    long mark(long current) {
      return current >= 0 ? current : now();
    }
  }

  public ConsensusService(
      Ledger ledger,
      Mempool mempool,
      PrivateKey key,
      Path dir,
      TimeoutConfig timeouts,
      Clock clock,
      Consumer<PeerMessage> broadcast,
      Consumer<ExecutedBlock> onCommitted,
      EvidenceReporter evidence) {
    this.ledger = ledger;
    this.mempool = mempool;
    this.key = key;
    this.dir = dir;
    this.timeouts = timeouts;
    this.clock = clock;
    this.broadcast = broadcast;
    this.onCommitted = onCommitted;
    this.evidence = evidence;
  }

  /**
   * Opens the write-ahead log and signing guard and joins consensus at the next height.
   *
   * @throws IOException when the consensus directory cannot be created
   */
  public void start() throws IOException {
    Files.createDirectories(dir);
    run(this::init);
    thread.scheduleWithFixedDelay(
        this::rebroadcast, REBROADCAST_MS, REBROADCAST_MS, TimeUnit.MILLISECONDS);
  }

  private void init() {
    long chainId = ledger.genesis().chainId();
    wal = FileConsensusWal.open(dir.resolve("consensus.wal"));
    EpochRootDigests epochRoots = new EpochRootDigests(ledger);
    KeySigner signer =
        new KeySigner(
            key,
            chainId,
            new DurableSigningGuard(new FileGuardStore(dir.resolve("signing-guard"))),
            epochRoots);
    verifier = VoteVerifier.secp256k1(chainId, epochRoots);
    TendermintMachine tendermint = new TendermintMachine(signer, verifier, timeouts);
    JournaledMachine.Recovered recovered =
        JournaledMachine.recover(
            tendermint, wal, new Event.StartHeight(ledger.height() + 1, validators()));
    machine = recovered.machine();
    LOG.info("Consensus started at height {} as validator {}", ledger.height() + 1, key.address());
    perform(recovered.actions());
    publishStatus();
  }

  private void run(Runnable task) {
    thread.execute(guarded(task));
  }

  /**
   * A scheduled executor keeps a task's exception in a future nobody reads; a failure in the
   * consensus thread must be seen, so every task logs what escapes it. The one exception: a task
   * that finishes while {@link #close} shuts the thread down cannot queue the work it leads to (a
   * timeout, a proposal), and that work is meant to be dropped.
   */
  private Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RejectedExecutionException e) {
        if (!thread.isShutdown()) {
          LOG.error("Consensus task failed", e);
        }
      } catch (RuntimeException e) {
        LOG.error("Consensus task failed", e);
      }
    };
  }

  /** The executor block sync imports on, so the ledger keeps a single writer. */
  public Executor executor() {
    return thread;
  }

  /** After block sync imported blocks: drop this height's work and join at the new next height. */
  public void afterImport() {
    clearHeight();
    startNextHeight();
  }

  public void onProposal(Peer from, ConsensusProposal message) {
    run(() -> receiveProposal(from, message));
  }

  public void onVote(Peer from, ConsensusVote message) {
    run(() -> receiveVote(from, message));
  }

  /** Sends a newly connected peer this node's messages of the current height. */
  public void onPeer(Peer peer) {
    run(() -> heldMessages(true).forEach(peer::send));
  }

  private Validators validators() {
    currentValidators =
        new Validators(
            ledger.nextValidators().validators().stream()
                .map(v -> new Validators.Validator(v.address(), v.votingPower()))
                .toList());
    return currentValidators;
  }

  private void receiveProposal(Peer from, ConsensusProposal message) {
    long current = ledger.height() + 1;
    // A proposal of the next height comes from a peer that committed this height first; the
    // machine keeps it for later, and so must this service keep its block, or wait for a resend.
    if (machine == null || message.getHeight() < current || message.getHeight() > current + 1) {
      return;
    }
    Proposal proposal;
    try {
      proposal = ConsensusMessages.proposal(message);
    } catch (IllegalArgumentException e) {
      from.penalise(
          Misbehaviour.MALFORMED_MESSAGE, "it sent a malformed proposal: " + e.getMessage());
      return;
    }
    if (!verifier.verify(proposal)) {
      from.penalise(Misbehaviour.INVALID_SIGNATURE, "it relayed a proposal with a bad signature");
      return;
    }
    // The machine judges whose turn it is; a proposal it refuses leaves no block behind here.
    for (Action action : feed(new Event.ProposalReceived(proposal))) {
      if (action instanceof Action.RefusedProposal refused && refused.proposal().equals(proposal)) {
        from.penalise(
            Misbehaviour.WRONG_PROPOSER,
            "it relayed a proposal for height "
                + proposal.height()
                + " round "
                + proposal.round()
                + " signed by "
                + proposal.proposer()
                + ", whose turn it is not (the proposer is "
                + refused.expected()
                + ")");
        return;
      }
    }
    // Kept after the machine saw the proposal: the validation it asks for runs as a later task
    // on this thread, and finds the block then.
    Hash blockHash = BlockHashing.headerHash(message.getBlock().getHeader());
    if (blockHash.equals(proposal.value())
        && message.getBlock().getHeader().getHeight() == proposal.height()) {
      if (proposal.height() == current) {
        blocks.putIfAbsent(blockHash, message.getBlock());
        timing.proposal = timing.mark(timing.proposal);
        if (awaitingBlock.remove(blockHash)) {
          validate(proposal.height(), blockHash);
        }
      } else if (blocks.values().stream().filter(b -> heightOf(b) == current + 1).count()
          < MAX_NEXT_HEIGHT_BLOCKS) {
        blocks.putIfAbsent(blockHash, message.getBlock());
      }
    }
  }

  private void receiveVote(Peer from, ConsensusVote message) {
    if (machine == null || currentValidators == null) {
      return;
    }
    // Only votes of this height and the next are of use. Older ones come late; later ones cannot
    // be judged against a validator set yet, and an honest peer ahead of this node sends them
    // while it catches up, so they are dropped unread and free, and nothing of them is kept or
    // journalled. (A sender past the head it announced itself is charged before it gets here.)
    long current = ledger.height() + 1;
    if (message.getHeight() < current || message.getHeight() > current + 1) {
      return;
    }
    SignedVote vote;
    try {
      vote = ConsensusMessages.vote(message);
    } catch (IllegalArgumentException e) {
      from.penalise(Misbehaviour.MALFORMED_MESSAGE, "it sent a malformed vote: " + e.getMessage());
      return;
    }
    // Only votes of the height being decided can be judged against a known validator set.
    if (vote.height() == ledger.height() + 1) {
      if (!currentValidators.contains(vote.validator())) {
        from.penalise(
            Misbehaviour.NON_VALIDATOR_VOTE,
            "it relayed a vote from non-validator " + vote.validator());
        return;
      }
      if (!verifier.verify(vote)) {
        from.penalise(
            Misbehaviour.INVALID_SIGNATURE,
            "it relayed a vote with a bad signature, or an epoch-end precommit without its"
                + " epoch-root signature");
        return;
      }
    }
    feed(new Event.VoteReceived(vote));
  }

  private List<Action> feed(Event event) {
    List<Action> actions = machine.handle(event);
    perform(actions);
    publishStatus();
    return actions;
  }

  private void publishStatus() {
    TendermintMachine current = machine.machine();
    // A machine that decided a height has moved its height on and awaits the start of the next.
    boolean decided = !current.started();
    status =
        new Status(
            decided ? current.height() - 1 : current.height(),
            current.round(),
            current.step(),
            decided,
            timing.start);
  }

  /** Where consensus stands; empty until it has started. */
  public Optional<Status> status() {
    return Optional.ofNullable(status);
  }

  private void perform(List<Action> actions) {
    for (Action action : actions) {
      switch (action) {
        case Action.BroadcastProposal p -> {
          Block block = blocks.get(p.proposal().value());
          if (block != null) {
            broadcast.accept(ConsensusMessages.proposal(p.proposal(), block));
          }
        }
        case Action.BroadcastVote v -> {
          if (v.vote().height() == ledger.height() + 1) {
            if (v.vote().type() == SignedVote.Type.PREVOTE) {
              timing.prevote = timing.mark(timing.prevote);
            } else {
              timing.precommit = timing.mark(timing.precommit);
            }
          }
          broadcast.accept(ConsensusMessages.vote(v.vote()));
        }
        case Action.ScheduleTimeout t ->
            thread.schedule(
                guarded(() -> feed(new Event.TimeoutFired(t.step(), t.height(), t.round()))),
                t.millis(),
                TimeUnit.MILLISECONDS);
        case Action.ProposeRequest r -> run(() -> propose(r.height(), r.round()));
        case Action.ValidateRequest v -> run(() -> validate(v.height(), v.value()));
        case Action.CommitValue c -> {
          timing.decided = timing.mark(timing.decided);
          run(() -> commit(c));
        }
        case Action.Evidence e -> evidence.report(e);
        case Action.ProposalEvidence e -> evidence.report(e);
        // Charged to the sender where it arrived (receiveProposal); a refusal of a proposal kept
        // for this height before it started, or replayed from the log, has no sender at hand.
        case Action.RefusedProposal r -> {}
      }
    }
  }

  private void propose(long height, int round) {
    if (height != ledger.height() + 1) {
      return;
    }
    int max = ledger.genesis().params().maxBlockTxs();
    ExecutedBlock block =
        ledger.propose(mempool.candidates(max, ledger), clock.millis(), key.address());
    blocks.put(block.hash(), block.block());
    executed.put(block.hash(), block);
    timing.proposal = timing.mark(timing.proposal);
    feed(new Event.ValueProposed(height, round, block.hash()));
  }

  private void validate(long height, Hash value) {
    if (height != ledger.height() + 1) {
      return;
    }
    boolean valid;
    if (executed.containsKey(value)) {
      valid = true;
    } else {
      Block block = blocks.get(value);
      if (block == null) {
        awaitingBlock.add(value);
        return;
      }
      try {
        long verifyStart = System.nanoTime();
        executed.put(value, ledger.verify(block, mempool::get));
        timing.verifyMs = (System.nanoTime() - verifyStart) / 1_000_000;
        valid = true;
      } catch (InvalidBlockException e) {
        LOG.info("Rejected proposed block {} at height {}: {}", value, height, e.getMessage());
        valid = false;
      }
    }
    timing.validated = timing.mark(timing.validated);
    feed(new Event.ValueValidated(height, value, valid));
  }

  private void commit(Action.CommitValue decision) {
    if (decision.height() != ledger.height() + 1) {
      return;
    }
    ExecutedBlock block = executed.get(decision.value());
    if (block == null && blocks.containsKey(decision.value())) {
      block = ledger.verify(blocks.get(decision.value()), mempool::get);
    }
    if (block == null) {
      LOG.info(
          "Height {} decided block {} that this node never received; block sync will fetch it",
          decision.height(),
          decision.value());
      return;
    }
    ledger.commit(block, decision.toProto());
    mempool.update(block.changedAccounts().keySet(), List.of(), ledger);
    LOG.info(
        "Committed block {} with {} txs in round {} (ms into the height: proposal {}, validated {}"
            + " (verify {}), prevoted {}, precommitted {}, decided {}, committed {})",
        block.height(),
        block.receipts().size(),
        decision.proposal().round(),
        timing.proposal,
        timing.validated,
        timing.verifyMs,
        timing.prevote,
        timing.precommit,
        timing.decided,
        timing.now());
    onCommitted.accept(block);
    clearHeight();
    // Heights start a block time apart: a height that took longer than that to decide and commit
    // does not make the next one wait a whole block time more.
    long wait = Math.max(0, ledger.genesis().params().blockTimeMs() - timing.now());
    thread.schedule(this::startNextHeight, wait, TimeUnit.MILLISECONDS);
  }

  private void startNextHeight() {
    long next = ledger.height() + 1;
    TendermintMachine current = machine.machine();
    if (current.height() > next || (current.height() == next && current.started())) {
      return;
    }
    timing.reset();
    rebroadcasts = 0;
    if (blocks.values().stream().anyMatch(b -> heightOf(b) == next)) {
      timing.proposal = 0;
    }
    feed(new Event.StartHeight(next, validators()));
  }

  private static long heightOf(Block block) {
    return block.getHeader().getHeight();
  }

  /** Drops the decided height's work, keeping blocks already received for the next height. */
  private void clearHeight() {
    long next = ledger.height() + 1;
    blocks.values().removeIf(b -> heightOf(b) != next);
    executed.clear();
    awaitingBlock.clear();
  }

  /**
   * This node's proposal and votes of the current height, for peers that may have missed them; and
   * once the height has lasted {@link #RELAY_AFTER} rebroadcasts, everyone's it holds too. Votes
   * then cross a network whose validators are not all linked to each other, one hop per
   * rebroadcast, at a cost (every held message to every peer) paid only while a height is stuck.
   */
  private List<PeerMessage> heldMessages(boolean withBlocks) {
    boolean everyones = rebroadcasts >= RELAY_AFTER;
    if (machine == null) {
      return List.of();
    }
    TendermintMachine current = machine.machine();
    List<PeerMessage> out = new java.util.ArrayList<>();
    for (Proposal p : current.proposals()) {
      if ((everyones || p.proposer().equals(key.address()))
          && p.height() == current.height()
          && blocks.containsKey(p.value())) {
        out.add(
            ConsensusMessages.proposal(
                p, withBlocks ? blocks.get(p.value()) : Block.getDefaultInstance()));
      }
    }
    for (SignedVote v : current.votes()) {
      if ((everyones || v.validator().equals(key.address())) && v.height() == current.height()) {
        out.add(ConsensusMessages.vote(v));
      }
    }
    return out;
  }

  /** Gossip that does not rely on every message arriving the first time. */
  private void rebroadcast() {
    rebroadcasts++;
    heldMessages(rebroadcasts % BLOCK_REBROADCAST_EVERY == 0).forEach(broadcast);
  }

  @Override
  public void close() {
    // Let the task in hand finish (an interrupt mid-fsync would close the WAL's channel under it)
    // and drop the timeouts and rebroadcasts still waiting.
    if (thread instanceof ScheduledThreadPoolExecutor pool) {
      pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      pool.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }
    thread.shutdown();
    try {
      if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (wal != null) {
      try {
        wal.close();
      } catch (Exception e) {
        LOG.warn("Closing the consensus log failed: {}", e.getMessage());
      }
    }
  }
}
