package io.ascribe.consensus;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.Optional;

/**
 * A {@link ConsensusSigner} with a secp256k1 key behind a {@link SigningGuard}: the guard's durable
 * permission comes first, the signature second.
 */
public final class KeySigner implements ConsensusSigner {
  private final PrivateKey key;
  private final long chainId;
  private final SigningGuard guard;

  public KeySigner(PrivateKey key, long chainId, SigningGuard guard) {
    this.key = key;
    this.chainId = chainId;
    this.guard = guard;
  }

  @Override
  public Address address() {
    return key.address();
  }

  @Override
  public Optional<SignedVote> signVote(
      SignedVote.Type type, long height, int round, Optional<Hash> value) {
    Hash digest = SignedVote.digest(chainId, type, height, round, value);
    if (!guard.permit(height, round, type.step(), digest)) {
      return Optional.empty();
    }
    return Optional.of(new SignedVote(type, height, round, value, key.address(), key.sign(digest)));
  }

  @Override
  public Optional<Proposal> signProposal(long height, int round, Hash value, int validRound) {
    Hash digest = Proposal.digest(chainId, height, round, value, validRound);
    if (!guard.permit(height, round, Step.PROPOSE, digest)) {
      return Optional.empty();
    }
    return Optional.of(
        new Proposal(height, round, value, validRound, key.address(), key.sign(digest)));
  }
}
