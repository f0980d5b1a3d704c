package io.ascribe.core.state;

import io.ascribe.core.types.Hash;

/**
 * An object proof with the block height and state root it was taken at; check it against the root
 * in that block's header (from a source you trust) with {@code proof().verify(stateRoot())}.
 */
public record AnchoredObjectProof(long height, Hash stateRoot, ObjectProof proof) {}
