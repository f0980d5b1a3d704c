package io.ascribe.node.executor;

import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Hash;
import io.ascribe.inference.job.JobDocument;
import io.ascribe.inference.job.JobStoppedException;
import io.ascribe.inference.job.TuningJobResult;
import io.ascribe.inference.job.TuningJobRunner;
import io.ascribe.inference.job.TuningJobSpec;
import io.ascribe.inference.model.ModelException;
import io.ascribe.ledger.ai.Model;
import io.ascribe.ledger.ai.TuningJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An executor's run of one assigned tuning job: fetch the datanet's contributions by hash, train
 * with the job's method, hyperparameters and seed (resuming from the job's checkpoint after a
 * crash), evaluate on the held-out split, score each contribution's influence, publish the adapter
 * by its hash and post the result. Each phase is journaled with its duration.
 */
final class TuningWork {
  private static final Logger LOG = LoggerFactory.getLogger(TuningWork.class);
  static final String ROLE = "executor";

  /** A progress line every this many training steps. */
  private static final int LOG_EVERY = 10;

  private final WorkContext ctx;
  private volatile TuningJobRunner running;

  TuningWork(WorkContext ctx) {
    this.ctx = ctx;
  }

  /** Asks a run in progress to stop at its next step, leaving a checkpoint. */
  void requestStop() {
    TuningJobRunner r = running;
    if (r != null) {
      r.requestStop();
    }
  }

  WorkOutcome run(TuningJob job) {
    WorkJournal.Entry entry =
        ctx.journal().read(job.id()).orElse(WorkJournal.Entry.start(job.id(), ROLE));
    if (entry.signedTx() != null) {
      return SignedWork.resume(ctx, entry, job.status() != TuningJob.Status.ASSIGNED);
    }
    Optional<Path> baseDir = baseModel(job);
    if (baseDir.isEmpty()) {
      return new WorkOutcome.Waiting(missingModel(job));
    }
    JobInputs inputs = JobInputs.of(ctx.ledger(), job);
    if (inputs.train().isEmpty()) {
      return new WorkOutcome.Failed(
          "its datanet has no contribution to train on (all "
              + inputs.eval().size()
              + " are held out for evaluation)");
    }
    entry = entry.in(WorkJournal.Phase.FETCHING);
    ctx.journal().write(entry);
    long start = System.nanoTime();
    List<JobDocument> train = JobSpecs.documents(inputs.train(), ctx.content(), ctx.fetchTimeout());
    List<JobDocument> eval = JobSpecs.documents(inputs.eval(), ctx.content(), ctx.fetchTimeout());
    entry = entry.timed("fetch", millisSince(start)).in(WorkJournal.Phase.TRAINING);
    ctx.journal().write(entry);
    LOG.info(
        "Job {}: training {} on {} contributions ({} held out), base model {}",
        job.id(),
        job.spec().method().label(),
        train.size(),
        eval.size(),
        baseDir.get());
    TuningJobSpec spec;
    try {
      spec = JobSpecs.spec(job, baseDir.get(), train, eval);
    } catch (IllegalArgumentException e) {
      return new WorkOutcome.Failed("its spec cannot be run: " + e.getMessage());
    }
    TuningJobResult result;
    try {
      result = train(job, spec, entry);
    } catch (JobStoppedException e) {
      return new WorkOutcome.Waiting(
          "stopped at step "
              + e.step()
              + " with a checkpoint; it resumes when the node runs again");
    } catch (ModelException e) {
      // Too big for this machine (with the figures), or a damaged checkpoint.
      return new WorkOutcome.Failed(e.getMessage());
    }
    entry = ctx.journal().read(job.id()).orElse(entry);
    entry =
        entry
            .timed("train", result.timings().train().toMillis())
            .timed("eval", result.timings().eval().toMillis())
            .timed("attribution", result.timings().attribution().toMillis());
    Hash adapter = ctx.content().publish(read(result.adapterFile()));
    SignedTransaction tx =
        ctx.submitter()
            .sign(
                nonce ->
                    TxBodies.postTuningResult(
                        ctx.submitter().chainId(),
                        nonce,
                        ctx.submitter().fee(),
                        job.id(),
                        adapter,
                        JobSpecs.unsignedE9(result.finalLoss()),
                        TxBodies.evalMetrics(
                            JobSpecs.unsignedE9(result.evalLoss()),
                            JobSpecs.unsignedE9(result.rougeL())),
                        influence(result)));
    WorkOutcome outcome = SignedWork.post(ctx, entry, tx);
    Map<String, Long> took = ctx.journal().read(job.id()).orElse(entry).timingsMs();
    LOG.info(
        "Job {}: posted its result in {} (adapter {}, final loss {}, eval loss {}, ROUGE-L {});"
            + " took {}",
        job.id(),
        tx.hash(),
        adapter,
        String.format("%.4f", result.finalLoss()),
        String.format("%.4f", result.evalLoss()),
        String.format("%.4f", result.rougeL()),
        breakdown(took));
    return outcome;
  }

  private TuningJobResult train(TuningJob job, TuningJobSpec spec, WorkJournal.Entry entry) {
    TuningJobRunner runner = new TuningJobRunner();
    running = runner;
    try {
      return runner.run(spec, ctx.journal().dir(job.id()), new Progress(job.id(), entry));
    } finally {
      running = null;
    }
  }

  /** Journals and logs the run's progress, one line every {@value #LOG_EVERY} steps. */
  private final class Progress implements TuningJobRunner.Listener {
    private final Hash job;
    private WorkJournal.Entry entry;

    Progress(Hash job, WorkJournal.Entry entry) {
      this.job = job;
      this.entry = entry;
    }

    @Override
    public void onStep(int step, int totalSteps, double loss, double tokensPerSecond) {
      if (step % LOG_EVERY == 0 || step == totalSteps) {
        entry = entry.progress(step, totalSteps, loss);
        ctx.journal().write(entry);
        LOG.info(
            "Job {}: step {}/{}  loss {}  {} tokens/s",
            job,
            step,
            totalSteps,
            String.format("%.4f", loss),
            String.format("%,.0f", tokensPerSecond));
      }
    }

    @Override
    public void onResume(int step, int totalSteps) {
      entry = entry.resumedAt(step);
      ctx.journal().write(entry);
      LOG.info("Job {}: resuming from its checkpoint at step {}/{}", job, step, totalSteps);
    }

    @Override
    public void onPhase(String phase) {
      WorkJournal.Phase next =
          switch (phase) {
            case "eval", "evaluating" -> WorkJournal.Phase.EVALUATING;
            case "attribution", "attributing" -> WorkJournal.Phase.ATTRIBUTING;
            default -> entry.phase();
          };
      entry = entry.in(next);
      ctx.journal().write(entry);
    }
  }

  private static Map<Hash, Long> influence(TuningJobResult result) {
    Map<Hash, Long> scores = new TreeMap<>();
    result
        .influence()
        .forEach((id, score) -> scores.put(JobSpecs.contribution(id), JobSpecs.e9(score)));
    return scores;
  }

  private Optional<Path> baseModel(TuningJob job) {
    return ctx.ledger().model(job.spec().baseModel()).flatMap(ctx.models()::find);
  }

  private String missingModel(TuningJob job) {
    Optional<Model> model = ctx.ledger().model(job.spec().baseModel());
    return model
        .map(
            m ->
                "it needs base model "
                    + m.id()
                    + " (config hash "
                    + m.configHash()
                    + ", weights hash "
                    + m.weightsHash()
                    + "), which is not under "
                    + ctx.models().root()
                    + ": copy the model's directory there")
        .orElse("its base model " + job.spec().baseModel() + " is not registered on chain");
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the adapter " + file, e);
    }
  }

  static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** {@code fetch 0.2 s, train 31.0 s, ...} in the order work happens. */
  static String breakdown(Map<String, Long> timingsMs) {
    StringBuilder out = new StringBuilder();
    for (String phase : List.of("fetch", "train", "eval", "attribution", "verify", "post")) {
      Long ms = timingsMs.get(phase);
      if (ms != null) {
        out.append(out.isEmpty() ? "" : ", ")
            .append(phase)
            .append(' ')
            .append(String.format("%.1f s", ms / 1000.0));
      }
    }
    return out.toString();
  }
}
