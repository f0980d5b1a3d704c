package io.ascribe.consensus;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The paper's ⟨PROPOSAL, h, r, v, vr⟩: the round's proposer offers the block with hash {@code
 * value}, and {@code validRound} is the round in which it saw a quorum of prevotes for it (-1 for a
 * fresh block). The block itself travels beside the proposal; consensus only needs its hash.
 */
public record Proposal(
    long height, int round, Hash value, int validRound, Address proposer, Signature signature) {

  private static final byte[] DOMAIN = "ascribe/proposal/v1".getBytes(StandardCharsets.US_ASCII);

  public Proposal {
    if (height < 1 || round < 0 || validRound < -1 || validRound >= round && validRound != -1) {
      throw new IllegalArgumentException(
          "proposal needs height >= 1, round >= 0 and -1 <= validRound < round");
    }
  }

  /**
   * What the proposer signs: keccak256("ascribe/proposal/v1" ‖ chain id ‖ height ‖ round ‖ value ‖
   * valid round), a domain apart from votes and transactions so no signature replays as another.
   */
  public static Hash digest(long chainId, long height, int round, Hash value, int validRound) {
    ByteBuffer fields = ByteBuffer.allocate(8 + 8 + 4 + Hash.SIZE + 4);
    fields.putLong(chainId).putLong(height).putInt(round).put(value.toArray()).putInt(validRound);
    return Keccak.hash(DOMAIN, fields.array());
  }

  public Hash digest(long chainId) {
    return digest(chainId, height, round, value, validRound);
  }
}
