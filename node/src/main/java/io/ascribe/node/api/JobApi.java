package io.ascribe.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.AiParams;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.Capability;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.FeeAttribution;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.JobFilter;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.state.OpenJobs;
import io.ascribe.node.rpc.Params;
import io.ascribe.node.rpc.RpcRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The tuning-job side's JSON-RPC methods: jobs by id or listed by submitter, executor and status,
 * the adapters final jobs registered, validators' inference capabilities, who earned what from a
 * settled job or inference receipt ({@code ascribe_getAttribution}, receipts by {@link
 * ReceiptAttributions}), and the genesis rules a job must meet. Objects can come with their state
 * proofs, as {@link DataApi}'s do; an unknown id is {@link ChainApi#NOT_FOUND}.
 */
public final class JobApi {
  private static final List<String> STATUSES =
      Arrays.stream(TuningJob.Status.values()).map(JobJson::label).toList();

  private final Ledger ledger;
  private final ObjectReplies replies;
  private final ReceiptAttributions receipts;

  public JobApi(Ledger ledger) {
    this.ledger = ledger;
    this.replies = new ObjectReplies(ledger);
    this.receipts = new ReceiptAttributions(ledger, replies);
  }

  public void register(RpcRegistry registry) {
    registry
        .register("ascribe_getJob", this::getJob)
        .register("ascribe_listJobs", this::listJobs)
        .register("ascribe_getAdapter", this::getAdapter)
        .register("ascribe_getCapability", this::getCapability)
        .register("ascribe_getAttribution", this::getAttribution)
        .register("ascribe_jobParams", this::jobParams);
  }

  private JsonNode getJob(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    TuningJob job = job(params.hash(0, "jobId"));
    return jobJson(job, params.optionalBool(1, "withProof").orElse(false));
  }

  private TuningJob job(Hash id) {
    return ledger
        .tuningJob(id)
        .orElseThrow(
            () ->
                ObjectReplies.notFound(
                    "no tuning job has the id " + id, "list them with ascribe_listJobs"));
  }

  /** The job's fields and the block at which it next moves on by itself, if it is open. */
  private ObjectNode jobJson(TuningJob job, boolean proof) {
    ObjectNode out = replies.object(job, proof, JobJson::job);
    out.put("nextDeadline", nextDeadline(job).map(Quantities::toHex).orElse(null));
    return out;
  }

  /**
   * The block at whose start an open job expires, is finalised, or has its dispute opened or
   * decided, unless a transaction moves it first.
   */
  private Optional<Long> nextDeadline(TuningJob job) {
    return ledger.system().jobs().deadlines().stream()
        .filter(d -> d.job().equals(job.id()))
        .map(OpenJobs.Deadline::height)
        .findFirst();
  }

  private JsonNode listJobs(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Params filter = params.fields(0, "filter", "submitter", "executor", "status", "page");
    JobFilter matching =
        new JobFilter(
            filter.optionalAddress(0, "submitter"),
            filter.optionalAddress(1, "executor"),
            filter
                .optionalOneOf(2, "status", STATUSES)
                .map(s -> TuningJob.Status.values()[STATUSES.indexOf(s)]));
    int page = ObjectReplies.page(filter, 3);
    boolean proofs = params.optionalBool(1, "withProofs").orElse(false);
    return ObjectReplies.page(
        page,
        ledger.tuningJobs(matching, page * ObjectReplies.PAGE_SIZE, ObjectReplies.PAGE_SIZE),
        "jobs",
        j -> jobJson(j, proofs));
  }

  private JsonNode getAdapter(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Hash id = params.hash(0, "adapterId");
    Adapter adapter =
        ledger
            .adapter(id)
            .orElseThrow(
                () ->
                    ObjectReplies.notFound(
                        "no adapter has the id " + id,
                        "a tuning job registers its adapter when it becomes final (ascribe_getJob"
                            + " shows its status)"));
    return replies.object(
        adapter, params.optionalBool(1, "withProof").orElse(false), JobJson::adapter);
  }

  private JsonNode getCapability(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Address account = params.address(0, "address");
    Capability capability =
        ledger
            .capability(account)
            .orElseThrow(
                () ->
                    ObjectReplies.notFound(
                        account + " has never declared the inference capability",
                        "a validator declares it with a DeclareCapability transaction"));
    ObjectNode out =
        replies.object(
            capability, params.optionalBool(1, "withProof").orElse(false), JobJson::capability);
    boolean validator = ledger.system().validators().find(account).isPresent();
    out.put(
        "takesJobs",
        validator && capability.takesJobs(ledger.genesis().params().ai().jobs().executorBond()));
    return out;
  }

  /**
   * {@code (jobId[, withProof])} for a tuning job; {@code (batchId[, receiptIndex][, withProof])}
   * for the receipts of an inference batch: both ids come from one tagged object-id space, so the
   * id alone says which was meant.
   */
  private JsonNode getAttribution(JsonNode raw) {
    Params params = Params.of(raw).atMost(3);
    Hash id = params.hash(0, "jobOrBatchId");
    Optional<TuningJob> job = ledger.tuningJob(id);
    if (job.isPresent()) {
      params.atMost(2);
      return jobAttribution(job.get(), params.optionalBool(1, "withProof").orElse(false));
    }
    InferenceBatch batch =
        ledger
            .inferenceBatch(id)
            .orElseThrow(
                () ->
                    ObjectReplies.notFound(
                        "no tuning job or inference batch has the id " + id,
                        "list them with ascribe_listJobs or ascribe_listInferenceBatches"));
    if (params.size() > 1 && raw.get(1).isBoolean()) {
      params.atMost(2);
      return receipts.attribution(batch, OptionalLong.empty(), params.bool(1, "withProof"));
    }
    OptionalLong index =
        params
            .optionalQuantity(1, "receiptIndex")
            .map(OptionalLong::of)
            .orElse(OptionalLong.empty());
    return receipts.attribution(batch, index, params.optionalBool(2, "withProof").orElse(false));
  }

  private JsonNode jobAttribution(TuningJob job, boolean proof) {
    // With a proof, built from the job the proof shows, so that it vouches for every amount.
    Optional<ObjectReplies.Proven<TuningJob>> proven =
        proof ? Optional.of(replies.proven(job)) : Optional.empty();
    TuningJob shown = proven.map(ObjectReplies.Proven::object).orElse(job);
    FeeAttribution attribution =
        FeeAttribution.of(
                shown, id -> ledger.contribution(id).map(Contribution::contributor).orElseThrow())
            .orElseThrow(
                () ->
                    ObjectReplies.notFound(
                        "job " + job.id() + " is " + JobJson.label(job.status()) + ", not over",
                        "its fee is attributed when it ends"
                            + nextDeadline(job)
                                .map(h -> " (it moves on by itself at block " + h + ")")
                                .orElse("")
                            + "; follow it with ascribe_getJob"));
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("job", shown.id().toHex());
    out.put("status", JobJson.label(shown.status()));
    out.setAll(JobJson.attribution(attribution));
    proven.ifPresent(p -> out.set("proof", p.proof()));
    return out;
  }

  private JsonNode jobParams(JsonNode raw) {
    Params.of(raw).atMost(0);
    AiParams.Jobs jobs = ledger.genesis().params().ai().jobs();
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("verifiers", Quantities.toHex(jobs.verifiers()));
    out.put("executorBond", Quantities.toHex(jobs.executorBond()));
    out.put("minJobFee", Quantities.toHex(jobs.minJobFee()));
    out.put("maxDeadlineBlocks", Quantities.toHex(jobs.maxDeadlineBlocks()));
    out.put("verifyWindowBlocks", Quantities.toHex(jobs.verifyWindowBlocks()));
    out.put("fraudSlashBps", Quantities.toHex(jobs.fraudSlashBps()));
    out.put("missedDeadlineSlashBps", Quantities.toHex(jobs.missedDeadlineSlashBps()));
    return out;
  }
}
