package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.DecimalE9;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.ai.Attestation;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.FeeAttribution;
import io.ascribe.ledger.ai.JobFilter;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.TuningSpec;
import io.ascribe.node.api.ChainApi;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.client.RpcClientException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe job ...}: submit a tuning job from a spec file, follow it, list jobs, and see who
 * earned what from one that ended. Everything shown is read from proven objects, checked here
 * against the block header's state root.
 */
@Command(
    name = "job",
    description =
        "Submit tuning jobs, follow them, list them, see their attribution (proofs checked here).",
    subcommands = {
      JobCommand.Submit.class,
      JobCommand.Status.class,
      JobCommand.ListCmd.class,
      JobCommand.Attribution.class
    })
final class JobCommand implements Runnable {
  /** How long {@code status --watch} waits for the next block before giving up on the node. */
  static final Duration HEAD_TIMEOUT = Duration.ofMinutes(5);

  private static final List<String> STATUSES =
      Arrays.stream(TuningJob.Status.values()).map(s -> s.name().toLowerCase(Locale.ROOT)).toList();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "submit",
      description =
          "Submit a tuning job described in a JSON spec file; prints its id, executor and"
              + " verifiers.")
  static final class Submit implements Runnable {
    @Mixin TxCommand.TxOptions tx;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--spec",
        paramLabel = "FILE.json",
        required = true,
        description =
            "{baseModel, datanet, method: lora|qlora|ptuning|full, hyperparameters: {rank, alpha,"
                + " learningRate, epochs, batchSize}, seed, evalSplitBps, fee (OPEN),"
                + " deadlineBlocks}.")
    Path specFile;

    @Override
    public void run() {
      JobSpec job = JobSpec.read(specFile);
      TxSender sender = tx.sender();
      RpcClient client = sender.client();
      JsonNode params = client.call("ascribe_jobParams");
      BigInteger minFee = Quantities.parse(params.path("minJobFee").asText());
      if (job.fee().compareTo(minFee) < 0) {
        throw new UserErrorException(
            "fee "
                + JobLines.open(job.fee())
                + " in "
                + specFile
                + " is below the minimum job fee "
                + JobLines.open(minFee)
                + ": raise \"fee\"; nothing was sent");
      }
      long maxBlocks = Quantities.parseLong(params.path("maxDeadlineBlocks").asText());
      if (job.deadlineBlocks() > maxBlocks) {
        throw new UserErrorException(
            "deadlineBlocks "
                + job.deadlineBlocks()
                + " in "
                + specFile
                + " is more than this chain allows ("
                + maxBlocks
                + "): lower \"deadlineBlocks\"; nothing was sent");
      }
      ProvenObjects proven = new ProvenObjects(client);
      exists(
          () -> proven.model(job.baseModel()),
          "baseModel",
          "register it with: ascribe model register");
      exists(
          () -> proven.datanet(job.datanet()), "datanet", "list them with: ascribe datanet list");
      requireFunds(sender, job.fee());
      // Counted from the block that will include the job: the next one, unless the chain is busy.
      long deadline =
          Quantities.parseLong(client.call("ascribe_blockNumber").asText())
              + 1
              + job.deadlineBlocks();
      PrintWriter out = spec.commandLine().getOut();
      TxSender.Sent sent =
          tx.send(
              out,
              (chain, nonce, fee) ->
                  TxBodies.submitTuningJob(chain, nonce, fee, job.toTx(deadline)));
      Hash id = sent.createdId("tuning-job");
      out.printf("job        %s%n", id);
      if (!tx.noWait) {
        TuningJob submitted = proven.job(id);
        out.printf("executor   %s%n", submitted.executor());
        out.printf("verifiers  %s%n", JobLines.join(submitted.verifiers()));
        out.printf("escrow     %s%n", JobLines.open(submitted.escrow()));
        out.printf(
            "deadline   block %d (the executor's result is due by then)%n",
            submitted.spec().deadline());
        out.printf("verified against %s%n", proven.checkedAt());
        out.printf("Follow it with: ascribe job status --id %s --watch%n", id);
      }
      out.flush();
    }

    /** Reads a spec's model or datanet, so a wrong id is refused before anything is sent. */
    private void exists(Runnable read, String field, String hint) {
      try {
        read.run();
      } catch (RpcClientException e) {
        if (e.code() != ChainApi.NOT_FOUND) {
          throw e;
        }
        throw new UserErrorException(
            field
                + " in "
                + specFile
                + ": "
                + e.getMessage().replaceFirst(":.*", "")
                + " on this chain ("
                + hint
                + "); nothing was sent");
      }
    }

    private static void requireFunds(TxSender sender, BigInteger escrow) {
      BigInteger needed = escrow.add(sender.fee());
      BigInteger balance =
          Quantities.parse(
              sender.client().call("ascribe_getBalance", sender.address().toString()).asText());
      if (balance.compareTo(needed) < 0) {
        throw new UserErrorException(
            "the job needs "
                + JobLines.open(needed)
                + " (fee escrow and transaction fee) but "
                + sender.address()
                + " has "
                + JobLines.open(balance)
                + ": fund it or lower \"fee\"; nothing was sent");
      }
    }
  }

  @Command(
      name = "status",
      description =
          "Show a job: its status, assignment, result, attestations and settlement; --watch follows"
              + " it block by block until it ends.")
  static final class Status implements Runnable {
    @Mixin RpcOption rpc;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", paramLabel = "ID", required = true, description = "Job id.")
    String id;

    @Option(
        names = "--watch",
        description = "Follow new blocks and print one line per change until the job is over.")
    boolean watch;

    @Override
    public void run() {
      Hash jobId = IdOption.parse("--id", id);
      PrintWriter out = spec.commandLine().getOut();
      if (watch) {
        watch(jobId, out);
      } else {
        ProvenObjects proven = new ProvenObjects(rpc.client());
        print(out, proven.job(jobId));
        out.printf("verified against %s%n", proven.checkedAt());
        printWork(out, rpc.client(), jobId);
      }
      out.flush();
    }

    private void watch(Hash jobId, PrintWriter out) {
      // Subscribed before the first read, so no block between the two goes unseen.
      try (HeadSubscription heads = HeadSubscription.open(rpc.url)) {
        ProvenObjects proven = new ProvenObjects(rpc.client());
        TuningJob job = proven.job(jobId);
        long height = Quantities.parseLong(rpc.client().call("ascribe_blockNumber").asText());
        out.printf("block %d: %s%n", height, JobLines.state(job));
        out.flush();
        while (!job.status().isOver()) {
          HeadSubscription.Head head = heads.next(HEAD_TIMEOUT);
          TuningJob now = proven.job(jobId);
          for (String change : JobLines.changes(job, now)) {
            out.printf("block %d: %s%n", head.height(), change);
          }
          out.flush();
          job = now;
        }
      } catch (IllegalStateException e) {
        throw new UserErrorException(
            "no new block from "
                + rpc.url
                + " in "
                + HEAD_TIMEOUT.toMinutes()
                + " minutes: is the node producing?");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UserErrorException("interrupted while watching job " + jobId);
      }
    }

    /** This node's own record of its work on the job (as executor or verifier), if it has one. */
    private static void printWork(PrintWriter out, RpcClient client, Hash jobId) {
      JsonNode work;
      try {
        work = client.call("ascribe_getJobWork", jobId.toHex());
      } catch (RpcClientException e) {
        // A node that predates the method, or runs no AI work: nothing to add.
        return;
      }
      if (work == null || work.isNull()) {
        return;
      }
      StringBuilder line =
          new StringBuilder("this node    ")
              .append(work.path("role").asText())
              .append(", ")
              .append(work.path("phase").asText());
      if (work.has("step")) {
        line.append(
            String.format(
                ", step %d/%d, loss %.4f",
                work.get("step").asInt(),
                work.path("totalSteps").asInt(),
                work.path("loss").asDouble()));
      }
      if (work.has("resumedFromStep")) {
        line.append(
            String.format(
                " (resumed from the checkpoint at step %d)", work.get("resumedFromStep").asInt()));
      }
      out.println(line);
      List<String> took = new ArrayList<>();
      for (String phase : List.of("fetch", "train", "eval", "attribution", "verify", "post")) {
        if (work.path("timingsMs").has(phase)) {
          took.add(
              String.format(
                  "%s %.1f s", phase, work.get("timingsMs").get(phase).asLong() / 1000.0));
        }
      }
      if (!took.isEmpty()) {
        out.printf("took         %s%n", String.join(", ", took));
      }
      if (work.has("problem")) {
        out.printf("waiting      %s%n", work.get("problem").asText());
      }
    }

    private static void print(PrintWriter out, TuningJob job) {
      TuningSpec s = job.spec();
      TuningSpec.Hyperparameters h = s.hyperparameters();
      out.printf("job          %s%n", job.id());
      out.printf("status       %s%n", JobLines.state(job));
      out.printf("submitter    %s%n", job.submitter());
      out.printf("base model   %s%n", s.baseModel());
      out.printf("datanet      %s%n", s.datanet());
      out.printf(
          "method       %s, rank %d, alpha %d, learning rate %s, %d epochs, batch size %d%n",
          s.method().label(),
          h.rank(),
          h.alpha(),
          DecimalE9.format(h.learningRateE9()),
          h.epochs(),
          h.batchSize());
      out.printf("seed         %d, %d bps held out for evaluation%n", s.seed(), s.evalBps());
      out.printf("escrow       %s%n", JobLines.open(job.escrow()));
      out.printf(
          "submitted    block %d, result due by block %d%n", job.submittedHeight(), s.deadline());
      out.printf("executor     %s%n", job.executor());
      out.printf("verifiers    %s%n", JobLines.join(job.verifiers()));
      job.result()
          .ifPresent(
              r -> out.printf("result       %s (block %d)%n", JobLines.result(r), r.height()));
      for (Attestation a : job.attestations()) {
        out.printf(
            "attestation  %s %s at block %d%n", a.verifier(), JobLines.verdict(a), a.height());
      }
      job.dispute()
          .ifPresent(
              d -> {
                for (Attestation v : d.votes()) {
                  out.printf(
                      "dispute vote %s %s, stake %s%n",
                      v.verifier(), JobLines.verdict(v), JobLines.open(v.weight()));
                }
              });
      if (job.status().isOver()) {
        out.printf("attribution  ascribe job attribution --id %s%n", job.id());
      }
    }
  }

  @Command(name = "list", description = "List tuning jobs, oldest first, proofs checked here.")
  static final class ListCmd implements Runnable {
    @Mixin RpcOption rpc;
    @Mixin SignerOptions signer;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--mine",
        description = "Only the jobs the --key (or --keystore) account submitted.")
    boolean mine;

    @Option(
        names = "--submitter",
        paramLabel = "ADDR",
        description = "Only jobs this account submitted.")
    String submitter;

    @Option(
        names = "--executor",
        paramLabel = "ADDR",
        description = "Only jobs this account executes.")
    String executor;

    @Option(
        names = "--status",
        paramLabel = "S",
        description =
            "Only jobs in this status: assigned, posted, accepted, disputed, final, rejected, expired.")
    String status;

    @Override
    public void run() {
      if (mine && submitter != null) {
        throw new UserErrorException("use --mine or --submitter, not both");
      }
      if (mine && signer.hex == null && signer.keystore == null) {
        throw new UserErrorException(
            "--mine lists the jobs of the --key HEX or --keystore FILE account: name one");
      }
      Optional<Address> from =
          mine
              ? Optional.of(signer.key().address())
              : Optional.ofNullable(submitter).map(a -> address("--submitter", a));
      Optional<Address> by = Optional.ofNullable(executor).map(a -> address("--executor", a));
      if (status != null && !STATUSES.contains(status)) {
        throw new UserErrorException(
            "--status must be one of " + String.join(", ", STATUSES) + ", got " + status);
      }
      Optional<TuningJob.Status> in =
          Optional.ofNullable(status).map(s -> TuningJob.Status.values()[STATUSES.indexOf(s)]);
      Map<String, String> filter = new HashMap<>();
      from.ifPresent(a -> filter.put("submitter", a.toString()));
      by.ifPresent(a -> filter.put("executor", a.toString()));
      Optional.ofNullable(status).ifPresent(s -> filter.put("status", s));
      ProvenObjects proven = new ProvenObjects(rpc.client());
      List<TuningJob> jobs = proven.jobs(filter, new JobFilter(from, by, in));
      PrintWriter out = spec.commandLine().getOut();
      if (jobs.isEmpty()) {
        out.println(
            filter.isEmpty()
                ? "no jobs yet (submit one with: ascribe job submit)"
                : "no jobs match");
      }
      for (TuningJob j : jobs) {
        out.printf(
            "%s  %-8s  %-7s  %s  escrow %s  executor %s  due block %d%n",
            j.id(),
            j.status().name().toLowerCase(Locale.ROOT),
            j.spec().method().label(),
            "by " + j.submitter(),
            JobLines.open(j.escrow()),
            j.executor(),
            j.spec().deadline());
      }
      if (!jobs.isEmpty()) {
        out.printf(
            "%d %s, proofs verified against %s%n",
            jobs.size(), jobs.size() == 1 ? "job" : "jobs", proven.checkedAt());
      }
      out.flush();
    }

    private static Address address(String option, String text) {
      try {
        return Address.fromHex(text);
      } catch (IllegalArgumentException e) {
        throw new UserErrorException(
            option
                + " must be a 20-byte address in 0x-prefixed hex ("
                + e.getMessage()
                + "), got "
                + text);
      }
    }
  }

  @Command(
      name = "attribution",
      description =
          "Who earned what from an ended job, by role (contributor, executor, verifier,"
              + " validator), and what was burned, refunded and slashed; proofs checked here.")
  static final class Attribution implements Runnable {
    @Mixin RpcOption rpc;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", paramLabel = "ID", required = true, description = "Job id.")
    String id;

    @Override
    public void run() {
      Hash jobId = IdOption.parse("--id", id);
      ProvenObjects proven = new ProvenObjects(rpc.client());
      TuningJob job = proven.job(jobId);
      Map<Hash, Address> contributors = new LinkedHashMap<>();
      job.result()
          .ifPresent(
              r ->
                  r.influence()
                      .forEach(
                          (c, score) -> {
                            if (score > 0 && job.status() == TuningJob.Status.FINAL) {
                              Contribution proof = proven.contribution(c);
                              contributors.put(c, proof.contributor());
                            }
                          }));
      FeeAttribution attribution =
          FeeAttribution.of(job, contributors::get)
              .orElseThrow(
                  () ->
                      new UserErrorException(
                          "job "
                              + jobId
                              + " is "
                              + job.status().name().toLowerCase(Locale.ROOT)
                              + ", not over: its fee is attributed when it ends; follow it with:"
                              + " ascribe job status --id "
                              + jobId
                              + " --watch"));
      PrintWriter out = spec.commandLine().getOut();
      JobLines.attribution(job, attribution).forEach(out::println);
      out.printf("verified against %s%n", proven.checkedAt());
      out.flush();
    }
  }
}
