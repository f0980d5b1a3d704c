package io.ascribe.ledger.ai;

import io.ascribe.core.types.Hash;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a job's executor posted: the adapter's weights hash, its final training loss, its evaluation
 * figures and each trained-on contribution's influence score (signed, fixed-point times 10^9; only
 * positive scores earn a share of the fee).
 */
public record TuningResult(
    Hash adapterHash,
    long finalLossE9,
    EvalMetrics eval,
    SortedMap<Hash, Long> influence,
    long height) {

  public TuningResult {
    influence = Collections.unmodifiableSortedMap(new TreeMap<>(influence));
  }

  io.ascribe.core.proto.TuningResult toProto() {
    io.ascribe.core.proto.TuningResult.Builder p =
        io.ascribe.core.proto.TuningResult.newBuilder()
            .setAdapterHash(ProtoBytes.of(adapterHash))
            .setFinalLossE9(finalLossE9)
            .setEval(eval.toProto())
            .setHeight(height);
    influence.forEach(
        (contribution, score) ->
            p.addInfluence(
                io.ascribe.core.proto.InfluenceScore.newBuilder()
                    .setContribution(ProtoBytes.of(contribution))
                    .setScoreE9(score)));
    return p.build();
  }

  static TuningResult fromProto(io.ascribe.core.proto.TuningResult p) {
    SortedMap<Hash, Long> influence = new TreeMap<>();
    p.getInfluenceList()
        .forEach(s -> influence.put(ProtoBytes.hash(s.getContribution()), s.getScoreE9()));
    return new TuningResult(
        ProtoBytes.hash(p.getAdapterHash()),
        p.getFinalLossE9(),
        EvalMetrics.fromProto(p.getEval()),
        influence,
        p.getHeight());
  }
}
