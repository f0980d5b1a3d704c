package io.ascribe.node.executor;

import java.util.Map;
import java.util.Optional;

/**
 * What this node has done for one job, as {@code ascribe_getJobWork} and {@code ascribe job status}
 * show it to an operator.
 *
 * @param role {@code executor} or {@code verifier}
 * @param phase where the work is: fetching, training, evaluating, attributing, verifying, posting,
 *     done or failed
 * @param resumedFromStep the checkpoint step training went on from after the node restarted
 * @param timingsMs milliseconds per phase (fetch, train, eval, attribution, verify, post)
 * @param txHash the transaction carrying the result or verdict, once signed
 * @param problem why the work waits or failed
 */
public record JobWorkReport(
    String role,
    String phase,
    Optional<Integer> step,
    Optional<Integer> totalSteps,
    Optional<Double> loss,
    Optional<Integer> resumedFromStep,
    Map<String, Long> timingsMs,
    Optional<String> txHash,
    Optional<String> problem) {

  static JobWorkReport of(WorkJournal.Entry e) {
    return new JobWorkReport(
        e.role(),
        e.phase().name().toLowerCase(java.util.Locale.ROOT),
        Optional.ofNullable(e.step()),
        Optional.ofNullable(e.totalSteps()),
        Optional.ofNullable(e.loss()),
        Optional.ofNullable(e.resumedFromStep()),
        e.timingsMs(),
        Optional.ofNullable(e.txHash()),
        Optional.ofNullable(e.problem()));
  }
}
