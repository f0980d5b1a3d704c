package io.ascribe.consensus;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.Optional;

/**
 * This node's validator key as the machine sees it. Each call may refuse (empty result): a signer
 * backed by a {@link SigningGuard} refuses anything that could conflict with what it signed before
 * a crash, and the machine then simply does not send that message.
 */
public interface ConsensusSigner {

  Address address();

  Optional<SignedVote> signVote(SignedVote.Type type, long height, int round, Optional<Hash> value);

  Optional<Proposal> signProposal(long height, int round, Hash value, int validRound);
}
