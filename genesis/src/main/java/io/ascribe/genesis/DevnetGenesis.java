package io.ascribe.genesis;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.hd.Bip39;
import io.ascribe.core.crypto.hd.DerivationPath;
import io.ascribe.core.crypto.hd.ExtendedPrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.Genesis.Allocation;
import io.ascribe.genesis.Genesis.GenesisValidator;
import io.ascribe.genesis.ProtocolParams.FeeSplit;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The built-in genesis of a local development chain: one validator, ten funded accounts whose keys
 * are public knowledge. The accounts come from the same mnemonic as Foundry's anvil and Hardhat, so
 * the keys a developer already has configured for the local EVM chain also work here. Never use it
 * for anything holding value: anyone can sign for every account.
 */
public final class DevnetGenesis {
  /** The mnemonic anvil and Hardhat derive their default accounts from; published, not secret. */
  public static final String MNEMONIC =
      "test test test test test test test test test test test junk";

  /**
   * 1337, the id Ethereum tooling conventionally gives a local chain. Many local chains share it,
   * which is harmless here: devnet transactions carry no value, so replaying one on another devnet
   * gains nothing. A public network must pick its own id.
   */
  public static final long CHAIN_ID = 1337;

  /** Fixed rather than "now" so every devnet node, on every run, computes the same genesis hash. */
  public static final Instant GENESIS_TIME = Instant.parse("2026-01-01T00:00:00Z");

  /** How many dev accounts are derived and funded: anvil's default count. */
  public static final int ACCOUNT_COUNT = 10;

  /** Each dev account's balance: plenty for any local experiment. */
  public static final BigInteger ACCOUNT_BALANCE = open(1_000_000);

  /** The bond of the single validator (dev account 0), held apart from its balance. */
  public static final BigInteger VALIDATOR_STAKE = open(100_000);

  /** One block a second: fast enough for tests, slow enough to follow in the logs. */
  public static final long DEFAULT_BLOCK_TIME_MS = 1_000;

  /**
   * Where the devnet's epoch roots are signed for: anvil's chain (31337) and the address at which
   * dev account 0's first {@code ascribe evm deploy} on a fresh anvil creates the distributor (its
   * second contract, CREATE with nonce 1). So `anvil`, then that deploy, and the devnet's own
   * epoch-root signatures are accepted there with no configuration.
   */
  public static final Genesis.Settlement SETTLEMENT =
      new Genesis.Settlement(31337, Address.fromHex("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"));

  private static final List<PrivateKey> ACCOUNTS = deriveAccounts();

  private DevnetGenesis() {}

  /** The devnet genesis with one-second blocks. */
  public static Genesis create() {
    return create(DEFAULT_BLOCK_TIME_MS);
  }

  /**
   * The devnet genesis with blocks every {@code blockTimeMs} milliseconds. Note that the block time
   * is part of the genesis hash: nodes on one devnet must agree on it.
   *
   * @throws InvalidGenesisException when the block time is outside {@link GenesisRules}' range
   */
  public static Genesis create(long blockTimeMs) {
    List<Allocation> allocations = new ArrayList<>();
    for (PrivateKey account : ACCOUNTS) {
      allocations.add(new Allocation(account.address(), ACCOUNT_BALANCE));
    }
    Genesis genesis =
        new Genesis(
            CHAIN_ID,
            GENESIS_TIME,
            List.of(new GenesisValidator(ACCOUNTS.get(0).address(), VALIDATOR_STAKE)),
            allocations,
            params(blockTimeMs),
            Optional.of(SETTLEMENT),
            Optional.empty());
    GenesisRules.validate(genesis);
    return genesis;
  }

  /**
   * The ten dev account keys, m/44'/60'/0'/0/i of {@link #MNEMONIC} for i = 0..9: the same keys and
   * addresses anvil prints at start-up. Account 0 is the validator.
   */
  public static List<PrivateKey> devAccounts() {
    return ACCOUNTS;
  }

  private static ProtocolParams params(long blockTimeMs) {
    return new ProtocolParams(
        blockTimeMs,
        // 100 blocks: epoch-end work (reward roots) is seen within two minutes of starting.
        100,
        // Two blocks: stake changes show up almost at once, yet the delay is still exercised.
        2,
        // Low enough that a dev account can bond a second validator out of its balance.
        open(1_000),
        // 10^12 wei: negligible against dev balances, yet non-zero so fees are really charged.
        BigInteger.TEN.pow(12),
        // Ample for load tests on one machine.
        10_000,
        // A fifth of every fee burned (so self-dealing fees cost something), the rest to
        // validators.
        new FeeSplit(2_000, 8_000),
        // 1,000 blocks (about 17 minutes at one a second): long enough to exercise the lock.
        1_000,
        ai());
  }

  /** The AI ledger's devnet rules; see {@link AiParams} for what each one means. */
  public static AiParams ai() {
    return new AiParams(
        // Data is what the work is made of, so contributors get the largest share; a tenth is
        // burned so that paying fees to oneself always costs money.
        new AiParams.WorkFeeSplit(4_000, 1_500, 1_500, 1_000, 1_000, 1_000),
        // No verifiers: the devnet's one validator executes jobs itself and nobody else could
        // check them, so a result stands once posted unless challenged within the window (docs/
        // adr/009); a testnet asks its executors to verify each other. A bond of 1,000 OPEN
        // behind every executor; 100 blocks to verify, challenge or vote.
        new AiParams.Jobs(0, open(1_000), open(1), 10_000, 5_000, 1_000, 100),
        // A cent of OPEN per request; challenges within 100 blocks; scores sum to 1 within 1%.
        new AiParams.Inference(BigInteger.TEN.pow(16), 100, 100, 5_000),
        // A twentieth of a double signer's stake, evidence up to 1,000 blocks old (and so, by
        // default, unstaked stake unbonding for 1,000 blocks: ProtocolParams.unbondingBlocks).
        new AiParams.Slashing(500, 1_000));
  }

  private static List<PrivateKey> deriveAccounts() {
    ExtendedPrivateKey master = ExtendedPrivateKey.fromSeed(Bip39.seed(MNEMONIC, ""));
    List<PrivateKey> keys = new ArrayList<>();
    for (int i = 0; i < ACCOUNT_COUNT; i++) {
      keys.add(master.derive(DerivationPath.ethereum(i)).privateKey());
    }
    return List.copyOf(keys);
  }

  private static BigInteger open(long whole) {
    return BigInteger.valueOf(whole).multiply(Amount.ONE_OPEN);
  }
}
