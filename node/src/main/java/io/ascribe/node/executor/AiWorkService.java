package io.ascribe.node.executor;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.inference.job.TuningJobRunner;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.Capability;
import io.ascribe.ledger.ai.JobFilter;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.exec.TxRejectedException;
import io.ascribe.node.mempool.Mempool;
import io.ascribe.node.serving.InferenceService;
import io.ascribe.node.serving.ModuleRagEngine;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's executor and verifier, on one thread of its own beside the chain: after each committed
 * block it makes sure the node's inference capability is declared, asks {@link WorkPlanner} what
 * the node owes, and does it one job at a time (a tuning run or a verification). Blocks committed
 * while a job runs are folded into one look afterwards. Work that cannot go on yet (content no peer
 * has served, a model not on disk) is said once and tried again at a later block; nothing here
 * stops the node.
 */
public final class AiWorkService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AiWorkService.class);
  private static final int JOBS_PAGE = 1_000;

  private final Ledger ledger;
  private final WorkContext ctx;
  private final TuningWork tuning;
  private final VerificationWork verification;
  private final ExecutorService thread;
  private final AtomicBoolean lookPending = new AtomicBoolean();
  private final Map<Hash, String> saidProblems = new HashMap<>();
  private final Set<Hash> failed = new HashSet<>();
  private final ModuleRagEngine rag;
  private final InferenceService serving;
  private volatile boolean closing;
  private Optional<Hash> declaration = Optional.empty();
  private String lastCapabilityProblem = "";

  private AiWorkService(Ledger ledger, WorkContext ctx, ExecutorSettings settings) {
    this.ledger = ledger;
    this.ctx = ctx;
    Path servingDir = settings.workDir().resolve("serving");
    this.rag =
        new ModuleRagEngine(
            servingDir,
            (adapter, base) ->
                TuningJobRunner.loadAdapter(JobSpecs.shape(adapter.job()), adapter.file(), base));
    this.serving =
        new InferenceService(
            ledger,
            ctx.submitter(),
            ctx.content(),
            ctx.models()::find,
            rag,
            servingDir,
            ctx.fetchTimeout(),
            settings.auditPercent());
    this.tuning = new TuningWork(ctx);
    this.verification =
        new VerificationWork(ctx, ledger.genesis().params().ai().jobs().verifyWindowBlocks());
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "ai-work");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts the service and takes a first look at once, resuming whatever a crash interrupted.
   *
   * @throws IllegalStateException when the device cannot run here
   */
  public static AiWorkService start(
      Ledger ledger,
      Mempool mempool,
      PrivateKey key,
      Consumer<SignedTransaction> gossip,
      ContentSource content,
      ExecutorSettings settings) {
    settings.device().checkAvailable();
    WorkContext ctx =
        new WorkContext(
            ledger,
            content,
            new ModelLibrary(settings.modelsDir()),
            new WorkJournal(settings.workDir()),
            new WorkSubmitter(ledger, mempool, key, gossip),
            Duration.ofSeconds(20));
    AiWorkService service = new AiWorkService(ledger, ctx, settings);
    LOG.info(
        "Executor {}: running assigned AI work on {} (models in {}, work in {})",
        key.address(),
        settings.device().name().toLowerCase(java.util.Locale.ROOT),
        settings.modelsDir(),
        settings.workDir());
    service.lookSoon();
    return service;
  }

  /** The RAG serving of this executor ({@code ascribe_infer}). */
  public InferenceService serving() {
    return serving;
  }

  /** Called after each committed block: schedules a look unless one is already waiting. */
  public void onCommitted(io.ascribe.ledger.exec.ExecutedBlock block) {
    serving.onCommitted(block);
    lookSoon();
  }

  private void lookSoon() {
    if (closing || !lookPending.compareAndSet(false, true)) {
      return;
    }
    try {
      thread.execute(this::look);
    } catch (RejectedExecutionException stopping) {
      lookPending.set(false);
    }
  }

  /** What this node has done for {@code job}, if it took part. */
  public Optional<JobWorkReport> work(Hash job) {
    return ctx.journal()
        .read(job)
        .map(e -> JobWorkReport.of(onChain(e) ? e.in(WorkJournal.Phase.DONE) : e));
  }

  /**
   * Whether the chain already shows the result or verdict a journal entry submitted: the planner no
   * longer visits such a job, so its entry may still say posting.
   */
  private boolean onChain(WorkJournal.Entry e) {
    if (e.phase() != WorkJournal.Phase.POSTING) {
      return false;
    }
    Optional<TuningJob> job = ledger.tuningJob(Hash.fromHex(e.job()));
    if (job.isEmpty()) {
      return false;
    }
    return e.role().equals(TuningWork.ROLE)
        ? job.get().status() != TuningJob.Status.ASSIGNED
        : job.get().attestationBy(ctx.submitter().self()).isPresent();
  }

  private void look() {
    lookPending.set(false);
    try {
      ensureCapability();
      Address self = ctx.submitter().self();
      List<TuningJob> assigned =
          ledger
              .tuningJobs(
                  new JobFilter(
                      Optional.empty(), Optional.of(self), Optional.of(TuningJob.Status.ASSIGNED)),
                  0,
                  JOBS_PAGE)
              .items();
      List<TuningJob> posted =
          ledger
              .tuningJobs(
                  new JobFilter(
                      Optional.empty(), Optional.empty(), Optional.of(TuningJob.Status.POSTED)),
                  0,
                  JOBS_PAGE)
              .items();
      Set<Hash> done = new HashSet<>(failed);
      for (TuningJob j : assigned) {
        finished(j).ifPresent(done::add);
      }
      List<WorkPlanner.Work> work =
          WorkPlanner.plan(
              self,
              ledger.height(),
              assigned,
              posted,
              ledger.genesis().params().ai().jobs().verifyWindowBlocks(),
              done);
      for (WorkPlanner.Work w : work) {
        if (closing) {
          return;
        }
        Optional<TuningJob> job = ledger.tuningJob(w.job());
        if (job.isPresent()) {
          report(w, attempt(w, job.get()));
        }
      }
      serving.audit();
    } catch (RuntimeException e) {
      if (!closing) {
        LOG.error("AI work: a look at the chain failed; trying again at the next block", e);
      }
    }
  }

  private Optional<Hash> finished(TuningJob job) {
    return ctx.journal()
        .read(job.id())
        .filter(e -> e.phase() == WorkJournal.Phase.DONE || e.phase() == WorkJournal.Phase.FAILED)
        .map(e -> job.id());
  }

  private WorkOutcome attempt(WorkPlanner.Work w, TuningJob job) {
    try {
      return switch (w) {
        case WorkPlanner.Tune t -> tuning.run(job);
        case WorkPlanner.Verify v -> verification.run(job);
      };
    } catch (ContentSource.ContentMissingException e) {
      return new WorkOutcome.Waiting(e.getMessage());
    }
  }

  private void report(WorkPlanner.Work w, WorkOutcome outcome) {
    Hash job = w.job();
    String role = w instanceof WorkPlanner.Tune ? "run" : "verification";
    switch (outcome) {
      case WorkOutcome.Done d -> saidProblems.remove(job);
      case WorkOutcome.Pending p -> {}
      case WorkOutcome.Waiting waiting -> {
        if (!waiting.why().equals(saidProblems.put(job, waiting.why()))) {
          LOG.warn("Job {}: its {} waits: {}", job, role, waiting.why());
        }
      }
      case WorkOutcome.Failed f -> {
        failed.add(job);
        LOG.error("Job {}: its {} cannot be done: {}", job, role, f.why());
        ctx.journal()
            .write(
                ctx.journal()
                    .read(job)
                    .orElse(WorkJournal.Entry.start(job, role))
                    .in(WorkJournal.Phase.FAILED)
                    .withProblem(f.why()));
      }
    }
  }

  /** Declares the capability when this validator has none active; says once why it cannot. */
  private void ensureCapability() {
    Address self = ctx.submitter().self();
    BigInteger bond = ledger.genesis().params().ai().jobs().executorBond();
    Optional<Capability> capability = ledger.capability(self);
    if (capability.isPresent() && capability.get().takesJobs(bond)) {
      declaration = Optional.empty();
      return;
    }
    if (declaration.isPresent() && ctx.submitter().pending(declaration.get())) {
      return;
    }
    if (ledger.system().validators().find(self).isEmpty()) {
      capabilityProblem(
          "this node ("
              + self
              + ") is not a validator, so it cannot declare the inference capability: stake to"
              + " join the validator set (ascribe tx stake), and it declares once it is in");
      return;
    }
    SignedTransaction tx =
        ctx.submitter()
            .sign(
                nonce ->
                    TxBodies.declareCapability(
                        ctx.submitter().chainId(), nonce, ctx.submitter().fee()));
    try {
      ctx.submitter().submit(tx);
    } catch (TxRejectedException e) {
      capabilityProblem(
          "cannot declare the inference capability: "
              + e.getMessage()
              + " (it bonds "
              + Amount.formatOpen(bond)
              + " OPEN from "
              + self
              + ")");
      return;
    }
    declaration = Optional.of(tx.hash());
    lastCapabilityProblem = "";
    LOG.info(
        "Declaring the inference capability of {} (bond {} OPEN) in transaction {}",
        self,
        Amount.formatOpen(bond),
        tx.hash());
  }

  private void capabilityProblem(String message) {
    if (!message.equals(lastCapabilityProblem)) {
      LOG.warn("AI work: {}", message);
      lastCapabilityProblem = message;
    }
  }

  @Override
  public void close() {
    closing = true;
    tuning.requestStop();
    thread.shutdown();
    try {
      if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.warn("AI work: the work thread did not stop within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    rag.close();
  }
}
