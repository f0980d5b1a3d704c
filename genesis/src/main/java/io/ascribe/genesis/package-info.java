/**
 * The genesis: what a chain starts from, how it is read from and written to JSON, and the devnet
 * one built in.
 *
 * <p>A genesis file looks like this (the devnet genesis, nine allocations left out; its {@code
 * unbondingBlocks} is the default, so the devnet's own file leaves it out):
 *
 * <pre>{@code
 * {
 *   "chainId": 1337,
 *   "genesisTime": "2026-01-01T00:00:00Z",
 *   "validators": [
 *     { "address": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "stake": "100000" }
 *   ],
 *   "allocations": [
 *     { "address": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "balance": "1000000" }
 *   ],
 *   "params": {
 *     "blockTimeMs": 1000,
 *     "epochLength": 100,
 *     "validatorSetDelay": 2,
 *     "unbondingBlocks": 1000,
 *     "minValidatorStake": "1000",
 *     "minFee": "0.000001",
 *     "maxBlockTxs": 10000,
 *     "feeSplit": { "burnBps": 2000, "validatorsBps": 8000 },
 *     "bondLockBlocks": 1000,
 *     "ai": {
 *       "workFeeSplit": { "contributorsBps": 4000, "fineTunerBps": 1500, "executorBps": 1500,
 *                         "verifiersBps": 1000, "validatorsBps": 1000, "burnBps": 1000 },
 *       "jobs": { "verifiers": 2, "executorBond": "1000", "minJobFee": "1",
 *                 "maxDeadlineBlocks": 10000, "fraudSlashBps": 5000,
 *                 "missedDeadlineSlashBps": 1000, "verifyWindowBlocks": 100 },
 *       "inference": { "minRequestFee": "0.01", "challengeWindowBlocks": 100,
 *                      "scoreSumToleranceBps": 100, "fraudSlashBps": 5000 },
 *       "slashing": { "doubleSignSlashBps": 500, "evidenceMaxAgeBlocks": 1000 }
 *     }
 *   },
 *   "settlement": { "evmChainId": 31337,
 *                   "distributor": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" },
 *   "bridge": { "evmChainId": 31337, "address": "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
 *               "confirmations": 12 }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Every field is required, except {@code settlement}, {@code bridge} and {@code
 *       params.unbondingBlocks}, and no others are allowed, so a misspelt name is an error rather
 *       than a silently ignored setting.
 *   <li>{@code params.unbondingBlocks} is how long unstaked stake stays unbonding, and slashable,
 *       after the validator set without it takes over ({@code validatorSetDelay} blocks after the
 *       unstake) before it is back in the balance. It must be at least {@code
 *       ai.slashing.evidenceMaxAgeBlocks}, so that evidence of a double sign always finds the
 *       stake; left out, it is exactly that (the devnet's 1,000), and it is written out only when
 *       it differs, so such a genesis keeps its hash.
 *   <li>{@code settlement} names the EVM chain and RewardDistributor the validators sign each
 *       epoch's reward root for (EIP-712, as part of block commit). Without it they sign none, and
 *       the chain's rewards cannot be claimed on an EVM chain. The distributor is deployed for the
 *       genesis validators ({@code ascribe evm deploy --validators GENESIS}) before the chain
 *       starts, and its address written here.
 *   <li>{@code bridge} is the OpenBridge on an EVM chain whose deposits the chain credits (its EVM
 *       chain id, its address, and the confirmations a deposit needs before validators attest it).
 *       A chain without it refuses deposit attestations; the devnet has one only when started with
 *       {@code --evm-rpc}.
 *   <li>Amounts ({@code stake}, {@code balance}, {@code minValidatorStake}, {@code minFee}) are
 *       decimal OPEN in strings (1 OPEN = 10^18 wei, at most 18 decimals); strings because many
 *       JSON tools turn large numbers into imprecise floating point.
 *   <li>Addresses are 0x-prefixed hex; mixed case must carry a correct EIP-55 checksum.
 *   <li>{@code genesisTime} is an ISO-8601 instant.
 *   <li>A validator's stake is bonded and separate from any allocation to the same address.
 * </ul>
 *
 * <p>{@link io.ascribe.genesis.GenesisLoader} reads this form and checks it against {@link
 * io.ascribe.genesis.GenesisRules}; problems come as an {@link
 * io.ascribe.genesis.InvalidGenesisException} naming the JSON path, such as {@code
 * validators[1].stake}. {@link io.ascribe.genesis.GenesisWriter} writes it, and its canonical form
 * (keys sorted, no whitespace) is what {@link io.ascribe.genesis.GenesisWriter#hash} hashes.
 */
package io.ascribe.genesis;
