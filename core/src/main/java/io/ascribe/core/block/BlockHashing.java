package io.ascribe.core.block;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.proto.Header;
import io.ascribe.core.proto.Vote;
import io.ascribe.core.types.Hash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The hashes that identify blocks and what validators sign. A block is named by keccak256 of its
 * header bytes; a vote is signed as keccak256("ascribe/vote/v1" ‖ vote bytes), a domain distinct
 * from transactions' so a signature can never be replayed as the other.
 */
public final class BlockHashing {
  private static final byte[] VOTE_DOMAIN = "ascribe/vote/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PROPOSAL_DOMAIN =
      "ascribe/proposal/v1".getBytes(StandardCharsets.US_ASCII);

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

  /**
   * What a proposer signs: keccak256("ascribe/proposal/v1" ‖ chain id ‖ height ‖ round ‖ value ‖
   * valid round), fixed-width big-endian, a domain apart from votes and transactions so no
   * signature replays as another. Here, not in consensus, because the ledger checks proposals too
   * (evidence of a double proposal).
   */
  public static Hash proposalDigest(
      long chainId, long height, int round, Hash value, int validRound) {
    ByteBuffer fields = ByteBuffer.allocate(8 + 8 + 4 + Hash.SIZE + 4);
    fields.putLong(chainId).putLong(height).putInt(round).put(value.toArray()).putInt(validRound);
    return Keccak.hash(PROPOSAL_DOMAIN, fields.array());
  }
}
