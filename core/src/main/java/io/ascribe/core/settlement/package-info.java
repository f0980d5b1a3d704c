/**
 * What Ascribe's validators sign for the settlement contracts on an EVM chain, hashed exactly as
 * the contracts hash it: the EIP-712 domain ({@link io.ascribe.core.settlement.Eip712Domain}), the
 * signed structs ({@link io.ascribe.core.settlement.SettlementMessages}, {@link
 * io.ascribe.core.settlement.EpochRoot}) and the validator set the distributor stores ({@link
 * io.ascribe.core.settlement.ValidatorSet}). They live in core, not in the contracts module,
 * because signing the epoch root is part of consensus: the ledger checks these signatures in every
 * commit it imports, with no EVM client at hand.
 */
package io.ascribe.core.settlement;
