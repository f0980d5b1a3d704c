/**
 * Tendermint BFT consensus (Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus", 2018)
 * as a pure state machine: {@link io.ascribe.consensus.TendermintMachine} takes {@link
 * io.ascribe.consensus.Event}s and returns {@link io.ascribe.consensus.Action}s, and touches disk
 * or network only through the interfaces it is given ({@link io.ascribe.consensus.ConsensusSigner},
 * {@link io.ascribe.consensus.VoteVerifier}). The signing guard ({@link
 * io.ascribe.consensus.SigningGuard}) and the write-ahead log ({@link
 * io.ascribe.consensus.ConsensusWal}) make a restarted validator unable to sign twice for one step.
 *
 * <p>A key that does sign twice for one step (two votes, or two proposals, for different blocks) is
 * reported as {@link io.ascribe.consensus.Action.Evidence} or {@link
 * io.ascribe.consensus.Action.ProposalEvidence}, once per offender and round; {@code toProto} gives
 * the evidence transaction's payload, which the ledger verifies from the signed bytes alone and
 * punishes by slashing and jailing the key (docs/adr/006-evidence-and-slashing.md).
 *
 * <p>This module depends on core only, not on the ledger: it has its own {@link
 * io.ascribe.consensus.Validators} with {@code long} voting powers, so whoever wires it to the
 * ledger converts the ledger's {@code BigInteger} stake into powers (for example stake divided by a
 * fixed unit) whose sum stays below {@code Long.MAX_VALUE / 3}.
 */
package io.ascribe.consensus;
