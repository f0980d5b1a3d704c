package io.ascribe.ledger.exec;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.ledger.ai.DatanetRules;
import io.ascribe.ledger.ai.EpochRewards;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.ai.Model;
import io.ascribe.ledger.ai.NearDuplicate;
import io.ascribe.ledger.ai.RewardAccount;
import io.ascribe.ledger.state.SystemState;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The ledger's transition rules (transfer, stake, unstake, and the AI ledger's datanets,
 * contributions and models): pure functions of a state and a transaction, so every validator
 * computes the same result. A transaction is either includable (right chain, next nonce, fee at
 * least the minimum and covered by the balance), in which case it pays its fee and uses its nonce
 * whatever its action does, or it is rejected and changes nothing.
 */
public final class TxExecutor {
  private static final BigInteger BPS = BigInteger.valueOf(ProtocolParams.FeeSplit.TOTAL_BPS);
  private static final int MAX_NAME = 128;

  private final long chainId;
  private final ProtocolParams params;

  public TxExecutor(long chainId, ProtocolParams params) {
    this.chainId = chainId;
    this.params = params;
  }

  /**
   * Checks that {@code tx} may be included now.
   *
   * @throws TxRejectedException saying why not
   */
  public void checkIncludable(StateReader state, SignedTransaction tx, Address sender) {
    TxBody body = tx.body();
    if (body.getChainId() != chainId) {
      throw new TxRejectedException(
          "wrong chain id " + body.getChainId() + ": this chain is " + chainId);
    }
    AccountState account = state.account(sender);
    if (body.getNonce() != account.nonce()) {
      throw new TxRejectedException(
          "nonce " + body.getNonce() + " is not the sender's next nonce " + account.nonce());
    }
    BigInteger fee = fee(tx);
    if (fee.compareTo(params.minFee()) < 0) {
      throw new TxRejectedException(
          "fee "
              + Amount.formatOpen(fee)
              + " OPEN is below the minimum fee "
              + Amount.formatOpen(params.minFee())
              + " OPEN");
    }
    if (account.balance().compareTo(fee) < 0) {
      throw new TxRejectedException(
          "balance " + Amount.formatOpen(account.balance()) + " OPEN cannot pay the fee");
    }
  }

  /** The fee a transaction offers, in wei. */
  public static BigInteger fee(SignedTransaction tx) {
    return Amount.decode(tx.body().getFee().toByteArray(), "fee");
  }

  /**
   * Settles, at the start of block {@code height}, the stake changes whose delay has passed:
   * unbonded stake returns to the balance and voting power follows the bonded stake.
   */
  public void beginBlock(StateOverlay state, long height) {
    SystemState system = state.system();
    List<SystemState.Pending> due = new ArrayList<>();
    List<SystemState.Pending> later = new ArrayList<>();
    for (SystemState.Pending p : system.pending()) {
      (p.height() <= height ? due : later).add(p);
    }
    if (due.isEmpty()) {
      return;
    }
    List<ValidatorSet.Validator> validators = new ArrayList<>(system.validators().validators());
    for (SystemState.Pending p : due) {
      AccountState account = state.account(p.address());
      if (account.unbonding().signum() > 0 && account.unbondingHeight() <= height) {
        account = account.withBalance(account.balance().add(account.unbonding()));
        account = account.withUnbonding(BigInteger.ZERO, 0);
        state.put(p.address(), account);
      }
      validators.removeIf(v -> v.address().equals(p.address()));
      if (account.stake().compareTo(params.minValidatorStake()) >= 0) {
        validators.add(new ValidatorSet.Validator(p.address(), account.stake()));
      }
    }
    state.setSystem(system.withValidators(new ValidatorSet(validators), later));
  }

  /**
   * Closes block {@code height}: at an epoch's last block (height a multiple of the epoch length)
   * it records the epoch's reward distribution in the state and returns its Merkle root, the value
   * the header's {@code rewards_root} carries and the EVM distributor verifies claims against.
   */
  public Optional<Hash> endBlock(StateOverlay state, long height) {
    if (height == 0 || height % params.epochLength() != 0) {
      return Optional.empty();
    }
    EpochRewards rewards = EpochRewards.of(height / params.epochLength(), height, state.rewards());
    state.put(rewards);
    return Optional.of(rewards.root());
  }

  /**
   * Applies an includable transaction (checked with {@link #checkIncludable}) and returns its
   * receipt.
   */
  public TxReceipt apply(
      StateOverlay state,
      SignedTransaction tx,
      Address sender,
      long height,
      int index,
      Address proposer) {
    checkIncludable(state, tx, sender);
    BigInteger fee = fee(tx);
    AccountState account = state.account(sender);
    state.put(
        sender,
        account.withBalance(account.balance().subtract(fee)).withNonce(account.nonce() + 1));
    payFee(state, fee, proposer);

    String error = "";
    try {
      TxBody body = tx.body();
      switch (body.getKindCase()) {
        case TRANSFER -> transfer(state, sender, body);
        case STAKE -> stake(state, sender, body, height);
        case UNSTAKE -> unstake(state, sender, body, height);
        case CREATE_DATANET -> createDatanet(state, sender, body, height);
        case CONTRIBUTE -> contribute(state, sender, body, height);
        case WITHDRAW_CONTRIBUTION -> withdraw(state, sender, body, height);
        case REGISTER_MODEL -> registerModel(state, sender, body, height);
        case KIND_NOT_SET -> throw new ActionFailed("transaction has no kind");
      }
    } catch (ActionFailed | IllegalArgumentException failed) {
      error = failed.getMessage();
    }
    return new TxReceipt(tx.hash(), height, index, sender, error.isEmpty(), error, fee);
  }

  /**
   * Burns the burn share and credits the rest to the proposer's cumulative reward, claimable on the
   * EVM chain with the next epoch's proof: every fee share, the validators' included, is paid the
   * same way, so one reward root settles them all.
   */
  private void payFee(StateOverlay state, BigInteger fee, Address proposer) {
    BigInteger burn = fee.multiply(BigInteger.valueOf(params.feeSplit().burnBps())).divide(BPS);
    state.setSystem(state.system().burn(burn));
    credit(state, proposer, fee.subtract(burn));
  }

  /** Adds {@code amount} (already taken from some balance) to the account's cumulative reward. */
  static void credit(StateOverlay state, Address account, BigInteger amount) {
    if (amount.signum() == 0) {
      return;
    }
    BigInteger before =
        state
            .object(RewardAccount.key(account))
            .map(o -> ((RewardAccount) o).cumulative())
            .orElse(BigInteger.ZERO);
    state.put(new RewardAccount(account, before.add(amount)));
    state.setSystem(state.system().credit(amount));
  }

  private void createDatanet(StateOverlay state, Address sender, TxBody body, long height) {
    var tx = body.getCreateDatanet();
    String name = tx.getName();
    if (name.isBlank() || name.length() > MAX_NAME) {
      throw new ActionFailed("datanet name must be 1 to " + MAX_NAME + " characters");
    }
    DatanetRules rules = DatanetRules.fromProto(tx.getRules());
    if (rules.schemaId().isBlank() || rules.schemaId().length() > MAX_NAME) {
      throw new ActionFailed("datanet schema id must be 1 to " + MAX_NAME + " characters");
    }
    if (rules.nearDuplicateBps() < 1 || rules.nearDuplicateBps() > 10_000) {
      throw new ActionFailed(
          "near-duplicate threshold must be in [1, 10000] basis points, got "
              + rules.nearDuplicateBps());
    }
    Hash id = objectId("datanet", sender, body.getNonce());
    state.put(new Datanet(id, sender, name, rules, height));
  }

  private void contribute(StateOverlay state, Address sender, TxBody body, long height) {
    var tx = body.getContribute();
    Hash datanetId = hash32(tx.getDatanet().toByteArray(), "datanet id");
    Datanet datanet =
        state
            .object(Datanet.key(datanetId))
            .map(Datanet.class::cast)
            .orElseThrow(() -> new ActionFailed("unknown datanet " + datanetId));
    Hash contentHash = hash32(tx.getContentHash().toByteArray(), "content hash");
    if (tx.getSize() <= 0) {
      throw new ActionFailed("contribution size must be positive");
    }
    MinHash signature = MinHash.of(tx.getMinhashList());
    BigInteger bond = Amount.decode(tx.getBond().toByteArray(), "bond");
    if (bond.compareTo(datanet.rules().minBond()) < 0) {
      throw new ActionFailed(
          "bond "
              + Amount.formatOpen(bond)
              + " OPEN is below the datanet's minimum bond "
              + Amount.formatOpen(datanet.rules().minBond())
              + " OPEN");
    }
    Optional<Hash> same = state.contributionWithContent(datanetId, contentHash);
    if (same.isPresent()) {
      throw new ActionFailed(
          "content " + contentHash + " is already contribution " + same.get() + " in this datanet");
    }
    Optional<NearDuplicate> near =
        state.nearDuplicate(datanetId, signature, datanet.rules().nearDuplicateBps());
    if (near.isPresent()) {
      throw new ActionFailed(
          "near duplicate of contribution "
              + near.get().contribution()
              + ": MinHash similarity "
              + near.get().similarityBps()
              + " bps is at or above the datanet's threshold "
              + datanet.rules().nearDuplicateBps()
              + " bps");
    }
    AccountState account = state.account(sender);
    requireBalance(account, bond);
    state.put(sender, account.withBalance(account.balance().subtract(bond)));
    state.setSystem(state.system().bond(bond));
    Hash id = objectId("contribution", sender, body.getNonce());
    state.put(
        new Contribution(
            id,
            datanetId,
            sender,
            contentHash,
            tx.getSize(),
            signature,
            bond,
            height,
            Contribution.Status.ACTIVE));
  }

  private void withdraw(StateOverlay state, Address sender, TxBody body, long height) {
    Hash id = hash32(body.getWithdrawContribution().getContribution().toByteArray(), "id");
    Contribution c =
        state
            .object(Contribution.key(id))
            .map(Contribution.class::cast)
            .orElseThrow(() -> new ActionFailed("unknown contribution " + id));
    if (!c.contributor().equals(sender)) {
      throw new ActionFailed("only contribution " + id + "'s contributor may withdraw its bond");
    }
    switch (c.status()) {
      case WITHDRAWN -> throw new ActionFailed("contribution " + id + " is already withdrawn");
      case SLASHED ->
          throw new ActionFailed("contribution " + id + " was slashed: its bond is forfeit");
      case ACTIVE -> {}
    }
    long unlock = c.height() + params.bondLockBlocks();
    if (height < unlock) {
      throw new ActionFailed(
          "contribution " + id + "'s bond is locked until height " + unlock + ", now " + height);
    }
    AccountState account = state.account(sender);
    state.put(sender, account.withBalance(account.balance().add(c.bond())));
    state.setSystem(state.system().bond(c.bond().negate()));
    state.put(c.withStatus(Contribution.Status.WITHDRAWN));
  }

  private void registerModel(StateOverlay state, Address sender, TxBody body, long height) {
    var tx = body.getRegisterModel();
    Hash weights = hash32(tx.getWeightsHash().toByteArray(), "weights hash");
    Hash config = hash32(tx.getConfigHash().toByteArray(), "config hash");
    if (tx.getArchitecture().isBlank() || tx.getArchitecture().length() > MAX_NAME) {
      throw new ActionFailed("model architecture must be 1 to " + MAX_NAME + " characters");
    }
    if (tx.getLicence().isBlank() || tx.getLicence().length() > MAX_NAME) {
      throw new ActionFailed("model licence must be 1 to " + MAX_NAME + " characters");
    }
    Hash id = objectId("model", sender, body.getNonce());
    state.put(
        new Model(id, sender, weights, config, tx.getArchitecture(), tx.getLicence(), height));
  }

  /**
   * keccak256(kind ‖ creator ‖ nonce): unique because a (creator, nonce) pair is used by one
   * transaction only, and known to the creator before the transaction is included.
   */
  public static Hash objectId(String kind, Address creator, long nonce) {
    return Keccak.hash(
        kind.getBytes(StandardCharsets.US_ASCII),
        creator.toArray(),
        ByteBuffer.allocate(8).putLong(nonce).array());
  }

  private static Hash hash32(byte[] bytes, String what) {
    if (bytes.length != Hash.SIZE) {
      throw new ActionFailed(what + " must be 32 bytes, got " + bytes.length);
    }
    return Hash.copyOf(bytes);
  }

  private void transfer(StateOverlay state, Address sender, TxBody body) {
    if (body.getTransfer().getTo().size() != Address.SIZE) {
      throw new ActionFailed("transfer recipient must be a 20-byte address");
    }
    Address to = Address.wrap(body.getTransfer().getTo().toByteArray());
    BigInteger amount = Amount.decode(body.getTransfer().getAmount().toByteArray(), "amount");
    AccountState from = state.account(sender);
    requireBalance(from, amount);
    state.put(sender, from.withBalance(from.balance().subtract(amount)));
    AccountState recipient = state.account(to);
    state.put(to, recipient.withBalance(recipient.balance().add(amount)));
  }

  private void stake(StateOverlay state, Address sender, TxBody body, long height) {
    BigInteger amount = Amount.decode(body.getStake().getAmount().toByteArray(), "amount");
    if (amount.signum() == 0) {
      throw new ActionFailed("stake amount must be positive");
    }
    AccountState account = state.account(sender);
    requireBalance(account, amount);
    state.put(
        sender,
        account
            .withBalance(account.balance().subtract(amount))
            .withStake(account.stake().add(amount)));
    schedule(state, sender, height + params.validatorSetDelay());
  }

  private void unstake(StateOverlay state, Address sender, TxBody body, long height) {
    BigInteger amount = Amount.decode(body.getUnstake().getAmount().toByteArray(), "amount");
    AccountState account = state.account(sender);
    if (amount.signum() == 0 || amount.compareTo(account.stake()) > 0) {
      throw new ActionFailed(
          "unstake amount must be positive and at most the bonded stake "
              + Amount.formatOpen(account.stake())
              + " OPEN");
    }
    BigInteger remaining = account.stake().subtract(amount);
    if (powerAfterSettling(state, sender, remaining).signum() == 0) {
      throw new ActionFailed("unstaking would leave the chain without validators");
    }
    long release = height + params.validatorSetDelay();
    state.put(
        sender,
        account.withStake(remaining).withUnbonding(account.unbonding().add(amount), release));
    schedule(state, sender, release);
  }

  /** Voting power once every pending change settles, with {@code sender}'s stake replaced. */
  private BigInteger powerAfterSettling(StateReader state, Address sender, BigInteger senderStake) {
    Set<Address> candidates = new HashSet<>();
    state.system().validators().validators().forEach(v -> candidates.add(v.address()));
    state.system().pending().forEach(p -> candidates.add(p.address()));
    candidates.add(sender);
    BigInteger power = BigInteger.ZERO;
    for (Address candidate : candidates) {
      BigInteger stake = candidate.equals(sender) ? senderStake : state.account(candidate).stake();
      if (stake.compareTo(params.minValidatorStake()) >= 0) {
        power = power.add(stake);
      }
    }
    return power;
  }

  private static void schedule(StateOverlay state, Address address, long height) {
    SystemState system = state.system();
    List<SystemState.Pending> pending = new ArrayList<>(system.pending());
    pending.add(new SystemState.Pending(height, address));
    state.setSystem(system.withValidators(system.validators(), pending));
  }

  private static void requireBalance(AccountState account, BigInteger amount) {
    if (account.balance().compareTo(amount) < 0) {
      throw new ActionFailed(
          "amount "
              + Amount.formatOpen(amount)
              + " OPEN exceeds the balance "
              + Amount.formatOpen(account.balance())
              + " OPEN left after the fee");
    }
  }

  /** An action that failed after its fee was paid. */
  private static final class ActionFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ActionFailed(String message) {
      super(message);
    }
  }
}
