package io.ascribe.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Hash;
import io.ascribe.node.executor.JobWorkReport;
import io.ascribe.node.rpc.Params;
import io.ascribe.node.rpc.RpcRegistry;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code ascribe_getJobWork(jobId)}: what this node did for a tuning job as its executor or
 * verifier — the phase, training progress and the time each phase took — or null when it took no
 * part (or runs no AI work). Unlike the chain's methods this is the node's own record, not proven.
 */
public final class WorkApi {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final Function<Hash, Optional<JobWorkReport>> work;

  public WorkApi(Function<Hash, Optional<JobWorkReport>> work) {
    this.work = work;
  }

  public void register(RpcRegistry registry) {
    registry.register("ascribe_getJobWork", this::jobWork);
  }

  private JsonNode jobWork(JsonNode params) {
    Params p = Params.of(params).atMost(1);
    Hash job = p.hash(0, "job id");
    Optional<JobWorkReport> report = work.apply(job);
    if (report.isEmpty()) {
      return NullNode.getInstance();
    }
    JobWorkReport r = report.get();
    ObjectNode out = F.objectNode();
    out.put("job", job.toHex());
    out.put("role", r.role());
    out.put("phase", r.phase());
    r.step().ifPresent(s -> out.put("step", s));
    r.totalSteps().ifPresent(s -> out.put("totalSteps", s));
    r.loss().ifPresent(l -> out.put("loss", l));
    r.resumedFromStep().ifPresent(s -> out.put("resumedFromStep", s));
    ObjectNode timings = out.putObject("timingsMs");
    r.timingsMs().forEach(timings::put);
    r.txHash().ifPresent(h -> out.put("transaction", h));
    r.problem().ifPresent(w -> out.put("problem", w));
    return out;
  }
}
