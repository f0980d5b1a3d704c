package io.ascribe.consensus;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.Optional;

/**
 * A {@link ConsensusSigner} with a secp256k1 key behind a {@link SigningGuard}: the guard's durable
 * permission comes first, the signature second. A precommit for a block also signs the height's
 * {@link PrecommitAttestation} digest, which the guard need not cover: it is one digest per height,
 * the same in every round, so signing it again is never signing something else.
 */
public final class KeySigner implements ConsensusSigner {
  private final PrivateKey key;
  private final long chainId;
  private final SigningGuard guard;
  private final PrecommitAttestation attestation;

  public KeySigner(
      PrivateKey key, long chainId, SigningGuard guard, PrecommitAttestation attestation) {
    this.key = key;
    this.chainId = chainId;
    this.guard = guard;
    this.attestation = attestation;
  }

  /** A signer whose precommits sign nothing beside the vote. */
  public KeySigner(PrivateKey key, long chainId, SigningGuard guard) {
    this(key, chainId, guard, PrecommitAttestation.NONE);
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
    Optional<Signature> attested =
        type == SignedVote.Type.PRECOMMIT && value.isPresent()
            ? attestation.digest(height).map(key::sign)
            : Optional.empty();
    return Optional.of(
        new SignedVote(type, height, round, value, key.address(), key.sign(digest), attested));
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
