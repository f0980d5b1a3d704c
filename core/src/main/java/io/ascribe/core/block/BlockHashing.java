package io.ascribe.core.block;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.proto.Header;
import io.ascribe.core.proto.Vote;
import io.ascribe.core.types.Hash;
import java.nio.charset.StandardCharsets;

/**
 * The hashes that identify blocks and what validators sign. A block is named by keccak256 of its
 * header bytes; a vote is signed as keccak256("ascribe/vote/v1" ‖ vote bytes), a domain distinct
 * from transactions' so a signature can never be replayed as the other.
 */
public final class BlockHashing {
  private static final byte[] VOTE_DOMAIN = "ascribe/vote/v1".getBytes(StandardCharsets.US_ASCII);

  private BlockHashing() {}

  public static Hash headerHash(Header header) {
    return Keccak.hash(header.toByteArray());
  }

  /** The precommit every validator signs to commit {@code blockHash} at this height and round. */
  public static Vote precommit(long chainId, long height, int round, Hash blockHash) {
    return Vote.newBuilder()
        .setChainId(chainId)
        .setHeight(height)
        .setRound(round)
        .setType(io.ascribe.core.proto.VoteType.VOTE_TYPE_PRECOMMIT)
        .setBlockHash(com.google.protobuf.ByteString.copyFrom(blockHash.toArray()))
        .build();
  }

  public static Hash voteDigest(Vote vote) {
    return Keccak.hash(VOTE_DOMAIN, vote.toByteArray());
  }
}
