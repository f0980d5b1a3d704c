package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.types.Hash;
import java.util.List;

/**
 * A retrieved contribution's share of one answer, in signed parts per million: positive scores
 * helped the answer and are paid pro rata, zero or negative ones are recorded but earn nothing.
 */
public record AttributionScore(Hash contribution, long scorePpm) {
  /** A score of 1, the whole answer. */
  public static final long ONE_PPM = 1_000_000;

  public io.ascribe.core.proto.AttributionScore toProto() {
    return io.ascribe.core.proto.AttributionScore.newBuilder()
        .setContribution(ByteString.copyFrom(contribution.toArray()))
        .setScorePpm(scorePpm)
        .build();
  }

  /**
   * @throws IllegalArgumentException when the contribution id is not 32 bytes
   */
  public static AttributionScore fromProto(io.ascribe.core.proto.AttributionScore p) {
    if (p.getContribution().size() != Hash.SIZE) {
      throw new IllegalArgumentException(
          "an attribution score's contribution id must be 32 bytes, got "
              + p.getContribution().size());
    }
    return new AttributionScore(Hash.copyOf(p.getContribution().toByteArray()), p.getScorePpm());
  }

  public static List<AttributionScore> fromProtos(
      List<io.ascribe.core.proto.AttributionScore> scores) {
    return scores.stream().map(AttributionScore::fromProto).toList();
  }

  static List<io.ascribe.core.proto.AttributionScore> toProtos(List<AttributionScore> scores) {
    return scores.stream().map(AttributionScore::toProto).toList();
  }

  /** The sum of the positive scores, in parts per million. */
  public static long positiveSum(List<AttributionScore> scores) {
    return scores.stream().mapToLong(s -> Math.max(0, s.scorePpm())).sum();
  }
}
