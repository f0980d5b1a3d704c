package io.ascribe.contracts.settlement;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;

/**
 * One {@code Deposit} event of OpenBridge, final enough to credit on Ascribe: {@code nonce} numbers
 * deposits from 0 without gaps, so crediting by nonce is idempotent.
 */
public record BridgeDeposit(
    BigInteger nonce,
    Address from,
    Address ascribeRecipient,
    BigInteger amount,
    long blockNumber,
    Hash blockHash,
    Hash transactionHash,
    long logIndex) {}
