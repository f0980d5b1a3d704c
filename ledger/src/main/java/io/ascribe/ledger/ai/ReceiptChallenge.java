package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.ChallengeStatus;
import io.ascribe.core.proto.ChallengeVote;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A verifier's claim that one receipt is wrong: the figures its own re-execution produced, the bond
 * it posted, and the votes of the other verifiers until a majority decides it or its deadline
 * passes; then the block that decided it and what the loser was slashed.
 *
 * @param decidedHeight the block that decided it; 0 while it is open
 * @param slashed wei slashed from the loser's bond (the executor's when upheld, the challenger's
 *     when rejected); zero while open and when expired
 */
public record ReceiptChallenge(
    Hash id,
    Hash batch,
    int receipt,
    Address challenger,
    BigInteger bond,
    List<AttributionScore> scores,
    Hash outputHash,
    long height,
    long deadline,
    Status status,
    List<Vote> votes,
    long decidedHeight,
    BigInteger slashed)
    implements LedgerObject {

  /** How the challenge stands. */
  public enum Status {
    OPEN,
    /** The receipt was wrong: the executor was slashed and the user refunded. */
    UPHELD,
    /** The receipt stands: the challenger was slashed. */
    REJECTED,
    /** No majority by the deadline: the bond went back and nobody was slashed. */
    EXPIRED
  }

  /** One verifier's vote: {@code uphold} says the receipt is wrong. */
  public record Vote(Address voter, boolean uphold) {}

  public ReceiptChallenge {
    scores = List.copyOf(scores);
    votes = List.copyOf(votes);
  }

  public static Hash key(Hash id) {
    return StateTreeHashing.objectKey("receipt-challenge", id.toArray());
  }

  @Override
  public Hash key() {
    return key(id);
  }

  public boolean votedBy(Address voter) {
    return votes.stream().anyMatch(v -> v.voter().equals(voter));
  }

  public ReceiptChallenge withVote(Vote vote) {
    List<Vote> next = new ArrayList<>(votes);
    next.add(vote);
    return new ReceiptChallenge(
        id,
        batch,
        receipt,
        challenger,
        bond,
        scores,
        outputHash,
        height,
        deadline,
        status,
        next,
        decidedHeight,
        slashed);
  }

  /** This challenge decided at block {@code decidedAt}, its loser slashed {@code slashedWei}. */
  public ReceiptChallenge decided(Status newStatus, long decidedAt, BigInteger slashedWei) {
    return new ReceiptChallenge(
        id,
        batch,
        receipt,
        challenger,
        bond,
        scores,
        outputHash,
        height,
        deadline,
        newStatus,
        votes,
        decidedAt,
        slashedWei);
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    io.ascribe.core.proto.ReceiptChallenge.Builder p =
        io.ascribe.core.proto.ReceiptChallenge.newBuilder()
            .setId(ByteString.copyFrom(id.toArray()))
            .setBatch(ByteString.copyFrom(batch.toArray()))
            .setReceipt(receipt)
            .setChallenger(ByteString.copyFrom(challenger.toArray()))
            .setBond(ByteString.copyFrom(Amount.encode(bond)))
            .addAllScores(AttributionScore.toProtos(scores))
            .setOutputHash(ByteString.copyFrom(outputHash.toArray()))
            .setHeight(height)
            .setDeadline(deadline)
            .setStatus(
                switch (status) {
                  case OPEN -> ChallengeStatus.CHALLENGE_STATUS_OPEN;
                  case UPHELD -> ChallengeStatus.CHALLENGE_STATUS_UPHELD;
                  case REJECTED -> ChallengeStatus.CHALLENGE_STATUS_REJECTED;
                  case EXPIRED -> ChallengeStatus.CHALLENGE_STATUS_EXPIRED;
                });
    votes.forEach(
        v ->
            p.addVotes(
                ChallengeVote.newBuilder()
                    .setVoter(ByteString.copyFrom(v.voter().toArray()))
                    .setUphold(v.uphold())));
    p.setDecidedHeight(decidedHeight).setSlashed(ByteString.copyFrom(Amount.encode(slashed)));
    return io.ascribe.core.proto.LedgerObject.newBuilder().setReceiptChallenge(p).build();
  }

  static ReceiptChallenge fromProto(io.ascribe.core.proto.ReceiptChallenge p) {
    Status status =
        switch (p.getStatus()) {
          case CHALLENGE_STATUS_OPEN -> Status.OPEN;
          case CHALLENGE_STATUS_UPHELD -> Status.UPHELD;
          case CHALLENGE_STATUS_REJECTED -> Status.REJECTED;
          case CHALLENGE_STATUS_EXPIRED -> Status.EXPIRED;
          case CHALLENGE_STATUS_UNSPECIFIED, UNRECOGNIZED ->
              throw new IllegalArgumentException("receipt challenge has no status");
        };
    return new ReceiptChallenge(
        Hash.copyOf(p.getId().toByteArray()),
        Hash.copyOf(p.getBatch().toByteArray()),
        p.getReceipt(),
        Address.wrap(p.getChallenger().toByteArray()),
        Amount.decode(p.getBond().toByteArray(), "challenge bond"),
        AttributionScore.fromProtos(p.getScoresList()),
        Hash.copyOf(p.getOutputHash().toByteArray()),
        p.getHeight(),
        p.getDeadline(),
        status,
        p.getVotesList().stream()
            .map(v -> new Vote(Address.wrap(v.getVoter().toByteArray()), v.getUphold()))
            .toList(),
        p.getDecidedHeight(),
        Amount.decode(p.getSlashed().toByteArray(), "slashed"));
  }
}
