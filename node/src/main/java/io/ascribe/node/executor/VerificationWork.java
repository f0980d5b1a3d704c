package io.ascribe.node.executor;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Hash;
import io.ascribe.inference.job.JobDocument;
import io.ascribe.inference.job.TuningJobSpec;
import io.ascribe.inference.job.TuningJobVerifier;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.TuningResult;
import io.ascribe.node.config.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verifier's check of one posted tuning result: fetch the adapter by the hash the executor posted
 * (checked against it), rebuild the job's spec from the chain, recompute the evaluation figures and
 * a seeded sample of the influence scores, and attest: accept when they agree within the tolerance,
 * reject with the recomputed figures when not. An adapter that no peer serves by the time half the
 * attestation window has passed is rejected: nobody can check it, so nobody should pay for it.
 */
final class VerificationWork {
  private static final Logger LOG = LoggerFactory.getLogger(VerificationWork.class);
  static final String ROLE = "verifier";

  /** How many of the posted influence scores each verifier recomputes. */
  static final int INFLUENCE_SAMPLE = 8;

  static final String ADAPTER_FILE = "adapter.safetensors";

  private final WorkContext ctx;
  private final long verifyWindowBlocks;

  VerificationWork(WorkContext ctx, long verifyWindowBlocks) {
    this.ctx = ctx;
    this.verifyWindowBlocks = verifyWindowBlocks;
  }

  WorkOutcome run(TuningJob job) {
    WorkJournal.Entry entry =
        ctx.journal().read(job.id()).orElse(WorkJournal.Entry.start(job.id(), ROLE));
    boolean attested =
        job.attestationBy(ctx.submitter().self()).isPresent()
            || job.status() != TuningJob.Status.POSTED;
    if (entry.signedTx() != null) {
      return SignedWork.resume(ctx, entry, attested);
    }
    TuningResult result = job.result().orElseThrow();
    Optional<Path> baseDir = ctx.ledger().model(job.spec().baseModel()).flatMap(ctx.models()::find);
    if (baseDir.isEmpty()) {
      return new WorkOutcome.Waiting(
          "it needs base model "
              + job.spec().baseModel()
              + ", which is not under "
              + ctx.models().root()
              + ": copy the model's directory there");
    }
    ctx.journal().write(entry.in(WorkJournal.Phase.FETCHING));
    long start = System.nanoTime();
    Path adapterFile = ctx.journal().dir(job.id()).resolve(ADAPTER_FILE);
    byte[] adapter;
    try {
      adapter = ctx.content().fetch(result.adapterHash(), ctx.fetchTimeout());
    } catch (ContentSource.ContentMissingException e) {
      long giveUpAt = result.height() + verifyWindowBlocks / 2;
      if (ctx.ledger().height() < giveUpAt) {
        return new WorkOutcome.Waiting(
            "no peer serves its adapter "
                + result.adapterHash()
                + " yet; it is rejected if none does by height "
                + giveUpAt);
      }
      LOG.warn(
          "Job {}: no peer served adapter {} within {} blocks of its posting; rejecting the result",
          job.id(),
          result.adapterHash(),
          verifyWindowBlocks / 2);
      return attest(job, entry, nonce -> reject(job, nonce, 0, 0));
    }
    write(adapterFile, adapter);
    JobInputs inputs = JobInputs.of(ctx.ledger(), job);
    List<JobDocument> train = JobSpecs.documents(inputs.train(), ctx.content(), ctx.fetchTimeout());
    List<JobDocument> eval = JobSpecs.documents(inputs.eval(), ctx.content(), ctx.fetchTimeout());
    entry = entry.timed("fetch", TuningWork.millisSince(start)).in(WorkJournal.Phase.VERIFYING);
    ctx.journal().write(entry);
    start = System.nanoTime();
    TuningJobSpec spec = JobSpecs.spec(job, baseDir.get(), train, eval);
    TuningJobVerifier.Verification v =
        new TuningJobVerifier()
            .verify(
                spec,
                adapterFile,
                result.eval().evalLossE9() / 1e9,
                result.eval().rougeLE9() / 1e9,
                claimedInfluence(result),
                sampleSeed(job),
                INFLUENCE_SAMPLE,
                TuningJobVerifier.Tolerance.DEFAULT);
    entry = entry.timed("verify", TuningWork.millisSince(start));
    LOG.info(
        "Job {}: {} its result (recomputed eval loss {}, ROUGE-L {}){}",
        job.id(),
        v.accepted() ? "accepting" : "rejecting",
        String.format("%.4f", v.evalLoss()),
        String.format("%.4f", v.rougeL()),
        v.accepted() ? "" : ": " + v.reason());
    if (v.accepted()) {
      return attest(
          job,
          entry,
          nonce ->
              TxBodies.accept(ctx.submitter().chainId(), nonce, ctx.submitter().fee(), job.id()));
    }
    long loss = JobSpecs.unsignedE9(v.evalLoss());
    long rouge = JobSpecs.unsignedE9(v.rougeL());
    return attest(job, entry, nonce -> reject(job, nonce, loss, rouge));
  }

  private TxBody reject(TuningJob job, long nonce, long evalLossE9, long rougeLE9) {
    return TxBodies.reject(
        ctx.submitter().chainId(),
        nonce,
        ctx.submitter().fee(),
        job.id(),
        TxBodies.evalMetrics(evalLossE9, rougeLE9));
  }

  private WorkOutcome attest(TuningJob job, WorkJournal.Entry entry, LongFunction<TxBody> body) {
    SignedTransaction tx = ctx.submitter().sign(body);
    WorkOutcome outcome = SignedWork.post(ctx, entry, tx);
    LOG.info("Job {}: attested in transaction {}", job.id(), tx.hash());
    return outcome;
  }

  private static Map<String, Double> claimedInfluence(TuningResult result) {
    Map<String, Double> scores = new TreeMap<>();
    result.influence().forEach((id, e9) -> scores.put(id.toHex(), e9 / 1e9));
    return scores;
  }

  /** Each verifier samples its own contributions: keccak256(job id ‖ verifier), first 8 bytes. */
  private long sampleSeed(TuningJob job) {
    Hash h = Keccak.hash(job.id().toArray(), ctx.submitter().self().toArray());
    return ByteBuffer.wrap(h.toArray()).getLong();
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      AtomicFiles.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
