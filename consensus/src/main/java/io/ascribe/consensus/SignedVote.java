package io.ascribe.consensus;

import com.google.protobuf.ByteString;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.proto.EvidenceVote;
import io.ascribe.core.proto.Vote;
import io.ascribe.core.proto.VoteType;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.Optional;

/**
 * A prevote or precommit for a block hash (or nil, an empty {@code value}) at one height and round,
 * with the validator's signature over {@link BlockHashing#voteDigest} of the wire {@code Vote},
 * and, for a precommit for a block at a height that asks for one, its signature over the height's
 * {@link PrecommitAttestation} digest.
 */
public record SignedVote(
    Type type,
    long height,
    int round,
    Optional<Hash> value,
    Address validator,
    Signature signature,
    Optional<Signature> attestation) {

  /** Which of the two votes of a round this is. */
  public enum Type {
    PREVOTE,
    PRECOMMIT;

    public Step step() {
      return this == PREVOTE ? Step.PREVOTE : Step.PRECOMMIT;
    }

    VoteType toProto() {
      return this == PREVOTE ? VoteType.VOTE_TYPE_PREVOTE : VoteType.VOTE_TYPE_PRECOMMIT;
    }
  }

  public SignedVote {
    if (height < 1 || round < 0) {
      throw new IllegalArgumentException("vote height must be >= 1 and round >= 0");
    }
    if (attestation.isPresent() && (type != Type.PRECOMMIT || value.isEmpty())) {
      throw new IllegalArgumentException("only a precommit for a block carries an attestation");
    }
  }

  /** A vote with no attestation. */
  public SignedVote(
      Type type,
      long height,
      int round,
      Optional<Hash> value,
      Address validator,
      Signature signature) {
    this(type, height, round, value, validator, signature, Optional.empty());
  }

  /** The wire vote that the signature covers. */
  public static Vote toProto(
      long chainId, Type type, long height, int round, Optional<Hash> value) {
    return Vote.newBuilder()
        .setChainId(chainId)
        .setHeight(height)
        .setRound(round)
        .setType(type.toProto())
        .setBlockHash(value.map(h -> ByteString.copyFrom(h.toArray())).orElse(ByteString.EMPTY))
        .build();
  }

  /** What the validator signs. */
  public static Hash digest(long chainId, Type type, long height, int round, Optional<Hash> value) {
    return BlockHashing.voteDigest(toProto(chainId, type, height, round, value));
  }

  public Hash digest(long chainId) {
    return digest(chainId, type, height, round, value);
  }

  /** This vote as evidence carries it: the signed wire vote and the signature. */
  public EvidenceVote toEvidence(long chainId) {
    return EvidenceVote.newBuilder()
        .setVote(toProto(chainId, type, height, round, value))
        .setSignature(ByteString.copyFrom(signature.toBytes()))
        .build();
  }

  public boolean isNil() {
    return value.isEmpty();
  }
}
