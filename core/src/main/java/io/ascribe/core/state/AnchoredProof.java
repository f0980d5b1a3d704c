package io.ascribe.core.state;

import io.ascribe.core.types.Hash;

/**
 * A state proof with the block height and state root it was taken at; check it against the root in
 * that block's header (from a source you trust) with {@code proof().verify(stateRoot())}.
 */
public record AnchoredProof(long height, Hash stateRoot, AccountProof proof) {}
