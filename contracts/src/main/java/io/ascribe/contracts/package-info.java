/** Settlement on an EVM chain: Web3j access to the OPEN token, RewardDistributor and OpenBridge. */
package io.ascribe.contracts;
