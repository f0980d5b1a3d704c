package io.ascribe.genesis;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.Genesis.Allocation;
import io.ascribe.genesis.Genesis.GenesisValidator;
import io.ascribe.genesis.ProtocolParams.FeeSplit;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The rules every genesis must meet before a node starts from it, whether it was loaded from JSON
 * or built in code. Failures name the field by the path it has in the JSON form (see {@link
 * io.ascribe.genesis package docs}), so both sources report problems the same way.
 */
public final class GenesisRules {
  /** Blocks closer than 10 ms apart leave no time for a vote round even on one machine. */
  public static final long MIN_BLOCK_TIME_MS = 10;

  /** Ten minutes: slower than this and a stuck chain is indistinguishable from a slow one. */
  public static final long MAX_BLOCK_TIME_MS = 600_000;

  /** About 33 hours of Ethereum blocks: any more and deposits would wait longer than a day. */
  public static final int MAX_BRIDGE_CONFIRMATIONS = 10_000;

  private GenesisRules() {}

  /**
   * Checks {@code genesis}, reporting the first rule it breaks.
   *
   * @throws InvalidGenesisException naming the field at fault
   */
  public static void validate(Genesis genesis) {
    if (genesis.chainId() < 1) {
      throw new InvalidGenesisException("chainId", "must be at least 1, got " + genesis.chainId());
    }
    validate(genesis.params());
    genesis.bridge().ifPresent(GenesisRules::validate);
    if (genesis.validators().isEmpty()) {
      throw new InvalidGenesisException("validators", "must list at least one validator");
    }
    BigInteger minStake = genesis.params().minValidatorStake();
    List<GenesisValidator> validators = genesis.validators();
    for (int i = 0; i < validators.size(); i++) {
      BigInteger stake = validators.get(i).stake();
      if (stake.compareTo(minStake) < 0) {
        throw new InvalidGenesisException(
            "validators[" + i + "].stake",
            "must be at least params.minValidatorStake ("
                + Amount.formatOpen(minStake)
                + " OPEN), got "
                + Amount.formatOpen(stake));
      }
      checkUint256("validators[" + i + "].stake", stake);
    }
    List<Allocation> allocations = genesis.allocations();
    for (int i = 0; i < allocations.size(); i++) {
      checkUint256("allocations[" + i + "].balance", allocations.get(i).balance());
    }
    checkUnique("validators", validators, GenesisValidator::address);
    checkUnique("allocations", allocations, Allocation::address);
    BigInteger supply = BigInteger.ZERO;
    for (GenesisValidator validator : validators) {
      supply = supply.add(validator.stake());
    }
    for (Allocation allocation : allocations) {
      supply = supply.add(allocation.balance());
    }
    if (supply.compareTo(Amount.MAX) > 0) {
      // Balances and bonds are uint256 on the wire, so the sum of all of them must be one too.
      throw new InvalidGenesisException(
          "allocations", "total supply (balances plus stakes) does not fit in uint256");
    }
    genesis.settlement().ifPresent(GenesisRules::validate);
    // Every block of a one-block epoch signs its epoch root, which would leave no block to sign a
    // validator-set update for the distributor (docs/adr/008).
    if (genesis.settlement().isPresent() && genesis.params().epochLength() < 2) {
      throw new InvalidGenesisException(
          "params.epochLength",
          "must be at least 2 on a chain that settles on an EVM chain, got "
              + genesis.params().epochLength());
    }
  }

  private static void validate(Genesis.Settlement settlement) {
    if (settlement.evmChainId() < 1) {
      throw new InvalidGenesisException(
          "settlement.evmChainId",
          "must be the EVM chain's id (at least 1), got " + settlement.evmChainId());
    }
    if (settlement.distributor().equals(Address.wrap(new byte[Address.SIZE]))) {
      throw new InvalidGenesisException(
          "settlement.distributor",
          "must be the RewardDistributor's address (`ascribe evm deploy` prints it), not zero");
    }
  }

  private static void validate(ProtocolParams params) {
    if (params.blockTimeMs() < MIN_BLOCK_TIME_MS || params.blockTimeMs() > MAX_BLOCK_TIME_MS) {
      throw new InvalidGenesisException(
          "params.blockTimeMs",
          "must be in ["
              + MIN_BLOCK_TIME_MS
              + ", "
              + MAX_BLOCK_TIME_MS
              + "] milliseconds, got "
              + params.blockTimeMs());
    }
    atLeastOne("params.epochLength", params.epochLength());
    atLeastOne("params.validatorSetDelay", params.validatorSetDelay());
    // A zero minimum would make every account with no bond at all a validator.
    if (params.minValidatorStake().signum() <= 0) {
      throw new InvalidGenesisException(
          "params.minValidatorStake",
          "must be more than 0, got " + Amount.formatOpen(params.minValidatorStake()));
    }
    checkUint256("params.minValidatorStake", params.minValidatorStake());
    checkUint256("params.minFee", params.minFee());
    atLeastOne("params.maxBlockTxs", params.maxBlockTxs());
    // A zero lock would let a contributor withdraw before anyone could challenge the data.
    atLeastOne("params.bondLockBlocks", params.bondLockBlocks());
    FeeSplit split = params.feeSplit();
    checkBps("params.feeSplit.burnBps", split.burnBps());
    checkBps("params.feeSplit.validatorsBps", split.validatorsBps());
    if (split.burnBps() + split.validatorsBps() != FeeSplit.TOTAL_BPS) {
      throw new InvalidGenesisException(
          "params.feeSplit",
          "burnBps + validatorsBps must be "
              + FeeSplit.TOTAL_BPS
              + " (all of each fee), got "
              + (split.burnBps() + split.validatorsBps()));
    }
    validate(params.ai());
    // Shorter, and a validator could double-sign, unstake and have its stake back before the
    // evidence lands, leaving the slash nothing to take.
    long maxAge = params.ai().slashing().evidenceMaxAgeBlocks();
    if (params.unbondingBlocks() < maxAge) {
      throw new InvalidGenesisException(
          "params.unbondingBlocks",
          "must be at least params.ai.slashing.evidenceMaxAgeBlocks ("
              + maxAge
              + "), got "
              + params.unbondingBlocks()
              + ", so that unbonding stake stays slashable while evidence against it may be"
              + " included: raise it (or leave it out for the default, "
              + maxAge
              + ") or lower evidenceMaxAgeBlocks");
    }
  }

  private static void validate(Genesis.Bridge bridge) {
    atLeastOne("bridge.evmChainId", bridge.evmChainId());
    if (bridge.address().equals(Address.ZERO)) {
      throw new InvalidGenesisException(
          "bridge.address", "must be the deployed OpenBridge contract, not the zero address");
    }
    if (bridge.confirmations() < 1 || bridge.confirmations() > MAX_BRIDGE_CONFIRMATIONS) {
      throw new InvalidGenesisException(
          "bridge.confirmations",
          "must be in [1, " + MAX_BRIDGE_CONFIRMATIONS + "] blocks, got " + bridge.confirmations());
    }
  }

  private static void atLeastOne(String field, long value) {
    if (value < 1) {
      throw new InvalidGenesisException(field, "must be at least 1, got " + value);
    }
  }

  private static void validate(AiParams ai) {
    AiParams.WorkFeeSplit split = ai.workFeeSplit();
    String at = "params.ai.workFeeSplit";
    checkBps(at + ".contributorsBps", split.contributorsBps());
    checkBps(at + ".fineTunerBps", split.fineTunerBps());
    checkBps(at + ".executorBps", split.executorBps());
    checkBps(at + ".verifiersBps", split.verifiersBps());
    checkBps(at + ".validatorsBps", split.validatorsBps());
    checkBps(at + ".burnBps", split.burnBps());
    int sum =
        split.contributorsBps()
            + split.fineTunerBps()
            + split.executorBps()
            + split.verifiersBps()
            + split.validatorsBps()
            + split.burnBps();
    if (sum != FeeSplit.TOTAL_BPS) {
      throw new InvalidGenesisException(
          at, "the shares must sum to " + FeeSplit.TOTAL_BPS + " (all of each fee), got " + sum);
    }
    if (split.burnBps() == 0) {
      throw new InvalidGenesisException(
          at + ".burnBps", "must be positive, or paying work fees to oneself would cost nothing");
    }
    AiParams.Jobs jobs = ai.jobs();
    if (jobs.verifiers() < 0 || jobs.verifiers() > 64) {
      throw new InvalidGenesisException(
          "params.ai.jobs.verifiers",
          "must be in [0, 64] (0: results stand unless challenged), got " + jobs.verifiers());
    }
    if (jobs.maxDeadlineBlocks() < 1) {
      throw new InvalidGenesisException(
          "params.ai.jobs.maxDeadlineBlocks",
          "must be at least 1, got " + jobs.maxDeadlineBlocks());
    }
    if (jobs.verifyWindowBlocks() < 1) {
      throw new InvalidGenesisException(
          "params.ai.jobs.verifyWindowBlocks",
          "must be at least 1, got " + jobs.verifyWindowBlocks());
    }
    checkUint256("params.ai.jobs.executorBond", jobs.executorBond());
    checkUint256("params.ai.jobs.minJobFee", jobs.minJobFee());
    checkBps("params.ai.jobs.fraudSlashBps", jobs.fraudSlashBps());
    checkBps("params.ai.jobs.missedDeadlineSlashBps", jobs.missedDeadlineSlashBps());
    AiParams.Inference inference = ai.inference();
    if (inference.challengeWindowBlocks() < 1) {
      throw new InvalidGenesisException(
          "params.ai.inference.challengeWindowBlocks",
          "must be at least 1, got " + inference.challengeWindowBlocks());
    }
    checkUint256("params.ai.inference.minRequestFee", inference.minRequestFee());
    checkBps("params.ai.inference.scoreSumToleranceBps", inference.scoreSumToleranceBps());
    checkBps("params.ai.inference.fraudSlashBps", inference.fraudSlashBps());
    checkBps("params.ai.slashing.doubleSignSlashBps", ai.slashing().doubleSignSlashBps());
    if (ai.slashing().evidenceMaxAgeBlocks() < 1) {
      throw new InvalidGenesisException(
          "params.ai.slashing.evidenceMaxAgeBlocks",
          "must be at least 1, got " + ai.slashing().evidenceMaxAgeBlocks());
    }
  }

  private static void checkBps(String field, int bps) {
    if (bps < 0 || bps > FeeSplit.TOTAL_BPS) {
      throw new InvalidGenesisException(
          field, "must be in [0, " + FeeSplit.TOTAL_BPS + "] basis points, got " + bps);
    }
  }

  private static void checkUint256(String field, BigInteger wei) {
    if (wei.signum() < 0) {
      throw new InvalidGenesisException(field, "must not be negative, got " + wei + " wei");
    }
    if (wei.compareTo(Amount.MAX) > 0) {
      throw new InvalidGenesisException(field, "does not fit in uint256");
    }
  }

  private static <T> void checkUnique(String list, List<T> entries, Function<T, Address> address) {
    Map<Address, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      Integer earlier = firstIndex.putIfAbsent(address.apply(entries.get(i)), i);
      if (earlier != null) {
        throw new InvalidGenesisException(
            list + "[" + i + "].address",
            address.apply(entries.get(i)) + " is already listed at " + list + "[" + earlier + "]");
      }
    }
  }
}
