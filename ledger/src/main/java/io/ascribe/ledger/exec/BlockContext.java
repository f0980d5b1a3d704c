package io.ascribe.ledger.exec;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;

/**
 * Where the block being executed sits: its height, its parent (whose hash seeds the deterministic
 * assignments a block makes) and its proposer (who collects the validators' fee share).
 */
public record BlockContext(long height, Hash parentHash, Address proposer) {}
