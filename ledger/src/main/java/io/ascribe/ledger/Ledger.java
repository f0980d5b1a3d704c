package io.ascribe.ledger;

import com.google.protobuf.ByteString;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.block.BlockLimits;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.proto.Block;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.Header;
import io.ascribe.core.proto.Receipt;
import io.ascribe.core.settlement.Eip712Domain;
import io.ascribe.core.settlement.EpochRoot;
import io.ascribe.core.state.AccountProof;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.state.AnchoredObjectProof;
import io.ascribe.core.state.AnchoredProof;
import io.ascribe.core.state.ObjectProof;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.GenesisRules;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.BatchFilter;
import io.ascribe.ledger.ai.Capability;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.ledger.ai.DepositAttestations;
import io.ascribe.ledger.ai.EpochRewards;
import io.ascribe.ledger.ai.FeeAuthorisationNonces;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.JobFilter;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.ai.Model;
import io.ascribe.ledger.ai.NearDuplicate;
import io.ascribe.ledger.ai.ObjectIndex;
import io.ascribe.ledger.ai.Page;
import io.ascribe.ledger.ai.ReceiptChallenge;
import io.ascribe.ledger.ai.ReceiptRecord;
import io.ascribe.ledger.ai.RewardProof;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.ValidatorRecord;
import io.ascribe.ledger.ai.ValidatorSetUpdate;
import io.ascribe.ledger.exec.BlockContext;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.InferenceCapabilities;
import io.ascribe.ledger.exec.InvalidBlockException;
import io.ascribe.ledger.exec.LedgerReader;
import io.ascribe.ledger.exec.StateOverlay;
import io.ascribe.ledger.exec.TxExecutor;
import io.ascribe.ledger.exec.TxReceipt;
import io.ascribe.ledger.exec.TxRejectedException;
import io.ascribe.ledger.state.StateTree;
import io.ascribe.ledger.state.SystemState;
import io.ascribe.ledger.state.ValidatorSet;
import io.ascribe.ledger.store.BlockWrite;
import io.ascribe.ledger.store.ChainStore;
import io.ascribe.ledger.store.StoreException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chain's state and history on one data directory: executes blocks, commits them atomically,
 * and answers queries (accounts, proofs, blocks, receipts). Writes come from one thread (the block
 * producer or, later, consensus); reads may come from any thread and see whole blocks only.
 */
public final class Ledger implements LedgerReader, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
  private static final Hash SYSTEM_KEY = StateTreeHashing.systemKey("protocol");

  private final Genesis genesis;
  private final ChainStore store;
  private final TxExecutor executor;
  private final Map<Address, AccountState> accounts;
  private final ObjectIndex objects;
  private volatile Head head;

  /** The committed tip: its block, and the state tree and protocol record after it. */
  private record Head(Block block, Hash hash, StateTree tree, SystemState system) {
    long height() {
      return block.getHeader().getHeight();
    }
  }

  private Ledger(
      Genesis genesis,
      ChainStore store,
      Map<Address, AccountState> accounts,
      ObjectIndex objects,
      Head head,
      InferenceCapabilities capabilities) {
    this.genesis = genesis;
    this.store = store;
    this.executor =
        new TxExecutor(genesis.chainId(), genesis.params(), genesis.bridge(), capabilities);
    this.accounts = new ConcurrentHashMap<>(accounts);
    this.objects = objects;
    this.head = head;
  }

  /**
   * Opens the chain in {@code dir}, writing the genesis block if the directory is new. An existing
   * directory must hold this genesis, and its accounts must hash to the head's state root.
   *
   * @throws StoreException naming the problem and the fix
   */
  public static Ledger open(Path dir, Genesis genesis) {
    return open(dir, genesis, InferenceCapabilities.onChain(genesis.params().ai().jobs()));
  }

  /**
   * Opens the chain as {@link #open(Path, Genesis)} does, learning who declared the inference
   * capability and what adapters exist from {@code capabilities}.
   */
  public static Ledger open(Path dir, Genesis genesis, InferenceCapabilities capabilities) {
    GenesisRules.validate(genesis);
    ChainStore store = ChainStore.open(dir);
    try {
      ExecutedBlock genesisBlock = genesisBlock(genesis);
      Optional<Long> headHeight = store.headHeight();
      if (headHeight.isEmpty()) {
        store.write(
            new BlockWrite(
                0,
                genesisBlock.hash(),
                genesisBlock.block(),
                Commit.newBuilder()
                    .setBlockHash(ByteString.copyFrom(genesisBlock.hash().toArray()))
                    .build(),
                List.of(),
                genesisBlock.changedAccounts(),
                Map.of(),
                genesisBlock.system().toProto().toByteArray()));
        LOG.info(
            "Initialised chain {} in {} at genesis {}",
            genesis.chainId(),
            dir,
            genesisBlock.hash());
        return new Ledger(
            genesis,
            store,
            genesisBlock.changedAccounts(),
            ObjectIndex.of(List.of()),
            new Head(
                genesisBlock.block(),
                genesisBlock.hash(),
                genesisBlock.tree(),
                genesisBlock.system()),
            capabilities);
      }
      Block stored0 = store.block(0).orElseThrow(() -> corrupt(dir, "it has no genesis block"));
      if (!BlockHashing.headerHash(stored0.getHeader()).equals(genesisBlock.hash())) {
        throw new StoreException(
            "data directory "
                + dir
                + " holds another chain (its genesis block differs from this genesis): use the"
                + " genesis it was created with, or another data directory");
      }
      return resume(genesis, store, headHeight.get(), capabilities);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private static Ledger resume(
      Genesis genesis, ChainStore store, long height, InferenceCapabilities capabilities) {
    Path dir = store.dir();
    Block block =
        store.block(height).orElseThrow(() -> corrupt(dir, "block " + height + " is missing"));
    SystemState system =
        SystemState.fromBytes(
            store.systemRecord().orElseThrow(() -> corrupt(dir, "no protocol record")));
    Map<Address, AccountState> accounts = store.loadAccounts();
    List<LedgerObject> stored = new ArrayList<>();
    for (Map.Entry<Hash, byte[]> e : store.loadObjects().entrySet()) {
      LedgerObject object;
      try {
        object = LedgerObject.decode(e.getValue());
      } catch (IllegalArgumentException bad) {
        throw corrupt(dir, "object " + e.getKey() + " cannot be decoded: " + bad.getMessage());
      }
      if (!object.key().equals(e.getKey())) {
        throw corrupt(dir, "object stored under " + e.getKey() + " belongs under " + object.key());
      }
      stored.add(object);
    }
    ObjectIndex objects = ObjectIndex.of(stored);
    StateTree tree = StateTree.empty().with(leaves(accounts, stored, system));
    Hash expected = Hash.copyOf(block.getHeader().getStateRoot().toByteArray());
    if (!tree.root().equals(expected)) {
      throw corrupt(
          dir,
          "its accounts and objects hash to "
              + tree.root()
              + " but block "
              + height
              + " commits to "
              + expected);
    }
    Hash hash = BlockHashing.headerHash(block.getHeader());
    LOG.info(
        "Resumed chain {} at height {} (block {}, {} accounts, {} objects)",
        genesis.chainId(),
        height,
        hash,
        accounts.size(),
        stored.size());
    return new Ledger(
        genesis, store, accounts, objects, new Head(block, hash, tree, system), capabilities);
  }

  private static StoreException corrupt(Path dir, String what) {
    return new StoreException(
        "data directory " + dir + " is inconsistent (" + what + "): restore it from a backup");
  }

  private static ExecutedBlock genesisBlock(Genesis genesis) {
    Map<Address, AccountState> initial = new HashMap<>();
    BigInteger supply = BigInteger.ZERO;
    for (Genesis.Allocation allocation : genesis.allocations()) {
      AccountState account = initial.getOrDefault(allocation.address(), AccountState.EMPTY);
      initial.put(
          allocation.address(), account.withBalance(account.balance().add(allocation.balance())));
      supply = supply.add(allocation.balance());
    }
    List<ValidatorSet.Validator> validators = new ArrayList<>();
    for (Genesis.GenesisValidator validator : genesis.validators()) {
      AccountState account = initial.getOrDefault(validator.address(), AccountState.EMPTY);
      initial.put(validator.address(), account.withStake(account.stake().add(validator.stake())));
      validators.add(new ValidatorSet.Validator(validator.address(), validator.stake()));
      supply = supply.add(validator.stake());
    }
    ValidatorSet set = new ValidatorSet(validators);
    SystemState system = SystemState.genesis(set, supply);
    StateTree tree = StateTree.empty().with(leaves(initial, List.of(), system));
    Header header =
        Header.newBuilder()
            .setChainId(genesis.chainId())
            .setHeight(0)
            .setTimeMs(genesis.genesisTime().toEpochMilli())
            .setParentHash(ByteString.copyFrom(Hash.ZERO.toArray()))
            .setTxRoot(ByteString.copyFrom(Hash.ZERO.toArray()))
            .setStateRoot(ByteString.copyFrom(tree.root().toArray()))
            .setValidatorsHash(ByteString.copyFrom(set.hash().toArray()))
            .build();
    Block block = Block.newBuilder().setHeader(header).build();
    return new ExecutedBlock(
        block,
        BlockHashing.headerHash(header),
        List.of(),
        initial,
        Map.of(),
        system,
        tree,
        List.of());
  }

  private static Map<Hash, Hash> leaves(
      Map<Address, AccountState> changed,
      Collection<LedgerObject> changedObjects,
      SystemState system) {
    Map<Hash, Hash> leaves = new HashMap<>((changed.size() + changedObjects.size()) * 2 + 1);
    changed.forEach(
        (address, state) -> leaves.put(StateTreeHashing.accountKey(address), state.valueHash()));
    changedObjects.forEach(object -> leaves.put(object.key(), object.valueHash()));
    leaves.put(SYSTEM_KEY, system.valueHash());
    return leaves;
  }

  /**
   * Builds the next block from {@code candidates} in order, leaving out (and reporting) those that
   * cannot be included; at most {@code maxBlockTxs} are taken.
   */
  public ExecutedBlock propose(List<SignedTransaction> candidates, long timeMs, Address proposer) {
    return execute(candidates, timeMs, proposer, false);
  }

  /**
   * Re-executes a block received from a proposer and checks its header.
   *
   * @throws InvalidBlockException when it does not follow from the committed state
   */
  public ExecutedBlock verify(Block block) {
    return verify(block, hash -> null);
  }

  /**
   * Re-executes a block received from a proposer and checks its header, taking each transaction
   * that {@code known} already holds (by hash) instead of decoding it and recovering its sender
   * again: a transaction's hash is the hash of its whole envelope, signature included, so a known
   * transaction with that hash is the same bytes with the same signer.
   *
   * @param known decoded transactions by hash (the mempool's, whose senders are recovered), or null
   *     for a transaction it does not hold
   * @throws InvalidBlockException when it does not follow from the committed state
   */
  public ExecutedBlock verify(Block block, Function<Hash, SignedTransaction> known) {
    Header header = block.getHeader();
    List<SignedTransaction> txs = new ArrayList<>(block.getTxsCount());
    for (var envelope : block.getTxsList()) {
      byte[] encoded = envelope.toByteArray();
      SignedTransaction held = known.apply(Keccak.hash(encoded));
      if (held != null && Arrays.equals(held.encoded(), encoded)) {
        txs.add(held);
        continue;
      }
      try {
        txs.add(SignedTransaction.decode(encoded));
      } catch (IllegalArgumentException e) {
        throw new InvalidBlockException("block carries a malformed transaction: " + e.getMessage());
      }
    }
    if (header.getProposer().size() != Address.SIZE) {
      throw new InvalidBlockException("block proposer is not a 20-byte address");
    }
    Address proposer = Address.wrap(header.getProposer().toByteArray());
    ExecutedBlock executed = execute(txs, header.getTimeMs(), proposer, true);
    if (!executed.block().getHeader().equals(header)) {
      throw new InvalidBlockException(
          "block "
              + header.getHeight()
              + " header does not match its execution (state root "
              + executed.block().getHeader().getStateRoot()
              + ")");
    }
    return executed;
  }

  private ExecutedBlock execute(
      List<SignedTransaction> candidates, long timeMs, Address proposer, boolean strict) {
    Head parent = head;
    long height = parent.height() + 1;
    if (timeMs <= parent.block().getHeader().getTimeMs() && strict) {
      throw new InvalidBlockException("block time must be after its parent's");
    }
    long time = Math.max(timeMs, parent.block().getHeader().getTimeMs() + 1);
    StateOverlay overlay = new StateOverlay(new Committed(parent.system()));
    executor.beginBlock(overlay, height);
    BlockContext context = new BlockContext(height, parent.hash(), proposer);
    ValidatorSet signers = overlay.system().validators();
    if (strict && signers.find(proposer).isEmpty()) {
      throw new InvalidBlockException("block proposer " + proposer + " is not a validator");
    }
    Optional<EpochRewards> epoch = executor.openBlock(overlay, height, signers);
    List<TxReceipt> receipts = new ArrayList<>();
    List<ExecutedBlock.Rejected> rejected = new ArrayList<>();
    Block.Builder block = Block.newBuilder();
    List<Hash> txHashes = new ArrayList<>();
    long txBytes = 0;
    for (SignedTransaction tx : candidates) {
      if (receipts.size() >= genesis.params().maxBlockTxs()) {
        if (strict) {
          throw new InvalidBlockException(
              "block has more than " + genesis.params().maxBlockTxs() + " transactions");
        }
        break;
      }
      int size = tx.encoded().length;
      if (size > BlockLimits.MAX_TX_BYTES) {
        if (strict) {
          throw new InvalidBlockException(
              "transaction "
                  + tx.hash()
                  + " is "
                  + size
                  + " bytes, over the "
                  + BlockLimits.MAX_TX_BYTES
                  + "-byte limit");
        }
        rejected.add(
            new ExecutedBlock.Rejected(
                tx,
                "it is " + size + " bytes, over the " + BlockLimits.MAX_TX_BYTES + "-byte limit"));
        continue;
      }
      if (txBytes + size > BlockLimits.MAX_BLOCK_TX_BYTES) {
        if (strict) {
          throw new InvalidBlockException(
              "block carries more than "
                  + BlockLimits.MAX_BLOCK_TX_BYTES
                  + " bytes of transactions");
        }
        // The rest waits for the next block, in order, so no sender's later nonce goes first.
        break;
      }
      try {
        Address sender = tx.sender();
        receipts.add(executor.apply(overlay, tx, sender, context, receipts.size()));
        block.addTxs(tx.envelope());
        txHashes.add(tx.hash());
        txBytes += size;
      } catch (TxRejectedException | IllegalArgumentException e) {
        if (strict) {
          throw new InvalidBlockException(
              "transaction " + tx.hash() + " cannot be included: " + e.getMessage());
        }
        rejected.add(new ExecutedBlock.Rejected(tx, e.getMessage()));
      }
    }
    StateTree tree =
        parent
            .tree()
            .with(
                leaves(
                    overlay.changedAccounts(),
                    overlay.changedObjects().values(),
                    overlay.system()));
    Header.Builder header =
        Header.newBuilder()
            .setChainId(genesis.chainId())
            .setHeight(height)
            .setTimeMs(time)
            .setParentHash(ByteString.copyFrom(parent.hash().toArray()))
            .setTxRoot(ByteString.copyFrom(TxRoot.of(txHashes).toArray()))
            .setStateRoot(ByteString.copyFrom(tree.root().toArray()))
            .setValidatorsHash(ByteString.copyFrom(signers.hash().toArray()))
            .setProposer(ByteString.copyFrom(proposer.toArray()));
    epoch.ifPresent(e -> header.setRewardsRoot(ByteString.copyFrom(e.root().toArray())));
    Block built = block.setHeader(header).build();
    return new ExecutedBlock(
        built,
        BlockHashing.headerHash(built.getHeader()),
        receipts,
        Map.copyOf(overlay.changedAccounts()),
        Map.copyOf(overlay.changedObjects()),
        overlay.system(),
        tree,
        rejected);
  }

  /**
   * Imports a block received from a peer: re-executes it, checks that its commit holds more than
   * two thirds of the power of the validators that sign it, and commits it.
   *
   * @throws InvalidBlockException when the block or its commit does not hold up
   */
  public ExecutedBlock importBlock(Block block, Commit commit) {
    return importBlock(block, commit, hash -> null);
  }

  /**
   * Imports a block as {@link #importBlock(Block, Commit)} does, taking the transactions {@code
   * known} holds instead of recovering their senders again (see {@link #verify(Block, Function)}).
   */
  public ExecutedBlock importBlock(
      Block block, Commit commit, Function<Hash, SignedTransaction> known) {
    ExecutedBlock executed = verify(block, known);
    CommitVerifier.verify(
        genesis.chainId(),
        executed.height(),
        executed.hash(),
        commit,
        executed.system().validators(),
        precommitDigest(executed));
    commit(executed, commit);
    return executed;
  }

  /** The epoch that block {@code height} ends, if it ends one. */
  private OptionalLong epochOf(long height) {
    long length = genesis.params().epochLength();
    return height > 0 && height % length == 0
        ? OptionalLong.of(height / length)
        : OptionalLong.empty();
  }

  /**
   * Commits an executed block with its commit signatures, atomically and durably, and makes it the
   * new head.
   */
  public synchronized void commit(ExecutedBlock block, Commit commit) {
    Head parent = head;
    if (block.height() != parent.height() + 1
        || !block
            .block()
            .getHeader()
            .getParentHash()
            .equals(ByteString.copyFrom(parent.hash().toArray()))) {
      throw new IllegalStateException(
          "block " + block.height() + " does not extend the head " + parent.height());
    }
    List<Receipt> receipts = block.receipts().stream().map(TxReceipt::toProto).toList();
    store.write(
        new BlockWrite(
            block.height(),
            block.hash(),
            block.block(),
            commit,
            receipts,
            block.changedAccounts(),
            encoded(block.changedObjects()),
            block.system().toProto().toByteArray()));
    accounts.putAll(block.changedAccounts());
    objects.apply(block.changedObjects().values());
    head = new Head(block.block(), block.hash(), block.tree(), block.system());
  }

  private static Map<Hash, byte[]> encoded(Map<Hash, LedgerObject> changed) {
    Map<Hash, byte[]> out = new HashMap<>();
    changed.forEach((key, object) -> out.put(key, object.encode()));
    return out;
  }

  /** Reads the committed state; {@code system} pins the protocol record of one head. */
  private final class Committed implements LedgerReader {
    private final SystemState system;

    Committed(SystemState system) {
      this.system = system;
    }

    @Override
    public AccountState account(Address address) {
      return accounts.getOrDefault(address, AccountState.EMPTY);
    }

    @Override
    public SystemState system() {
      return system;
    }

    @Override
    public Optional<LedgerObject> object(Hash key) {
      return objects.get(key);
    }

    @Override
    public Optional<Hash> contributionWithContent(Hash datanet, Hash contentHash) {
      return objects.contentOwner(datanet, contentHash);
    }

    @Override
    public Optional<NearDuplicate> nearDuplicate(
        Hash datanet, MinHash signature, int thresholdBps) {
      return objects.nearDuplicate(datanet, signature, thresholdBps);
    }

    @Override
    public Map<Address, BigInteger> rewards() {
      return objects.rewards();
    }
  }

  @Override
  public Optional<LedgerObject> object(Hash key) {
    return objects.get(key);
  }

  @Override
  public Optional<Hash> contributionWithContent(Hash datanet, Hash contentHash) {
    return objects.contentOwner(datanet, contentHash);
  }

  @Override
  public Optional<NearDuplicate> nearDuplicate(Hash datanet, MinHash signature, int thresholdBps) {
    return objects.nearDuplicate(datanet, signature, thresholdBps);
  }

  @Override
  public Map<Address, BigInteger> rewards() {
    return objects.rewards();
  }

  public Optional<Datanet> datanet(Hash id) {
    return objects.get(Datanet.key(id)).map(Datanet.class::cast);
  }

  public Optional<Contribution> contribution(Hash id) {
    return objects.get(Contribution.key(id)).map(Contribution.class::cast);
  }

  public Optional<Model> model(Hash id) {
    return objects.get(Model.key(id)).map(Model.class::cast);
  }

  /** Datanets in creation order (height, then id), {@code limit} from {@code offset} on. */
  public Page<Datanet> datanets(int offset, int limit) {
    return objects.datanets(offset, limit);
  }

  /** A datanet's contributions in creation order, {@code limit} from {@code offset} on. */
  public Page<Contribution> contributions(Hash datanet, int offset, int limit) {
    return objects.contributions(datanet, offset, limit);
  }

  /** How many contributions {@code datanet} holds, withdrawn and slashed ones included. */
  public int contributionCount(Hash datanet) {
    return objects.contributionCount(datanet);
  }

  /**
   * The object under {@code key} (e.g. {@link Datanet#key}) with a proof under the head's state
   * root, and that head's height and root; empty if the head's state holds no such object.
   */
  public Optional<AnchoredObjectProof> objectProof(Hash key) {
    while (true) {
      Head current = head;
      StateTree.Path path = current.tree().path(key);
      Optional<AccountProof.Neighbour> end = path.leaf();
      boolean inTree = end.isPresent() && end.get().key().equals(key);
      Optional<LedgerObject> object = objects.get(key);
      if (!inTree && object.isEmpty()) {
        return Optional.empty();
      }
      // The index moves to the next block a moment before the head does; take the object only
      // when it is the one this head's tree commits to.
      if (inTree && object.isPresent() && object.get().valueHash().equals(end.get().valueHash())) {
        ObjectProof proof =
            new ObjectProof(key, ByteString.copyFrom(object.get().encode()), path.siblings());
        return Optional.of(new AnchoredObjectProof(current.height(), current.tree().root(), proof));
      }
      Thread.onSpinWait();
    }
  }

  /** A tuning job with its assignment, result, attestations and, once over, its settlement. */
  public Optional<TuningJob> tuningJob(Hash id) {
    return objects.get(TuningJob.key(id)).map(TuningJob.class::cast);
  }

  /** The tuning jobs {@code filter} matches, oldest first, {@code limit} from {@code offset} on. */
  public Page<TuningJob> tuningJobs(JobFilter filter, int offset, int limit) {
    return objects.jobs(filter, offset, limit);
  }

  public Optional<Adapter> adapter(Hash id) {
    return objects.get(Adapter.key(id)).map(Adapter.class::cast);
  }

  /** The account's inference capability, if it ever declared one. */
  public Optional<Capability> capability(Address account) {
    return objects.get(Capability.key(account)).map(Capability.class::cast);
  }

  public Optional<InferenceBatch> inferenceBatch(Hash id) {
    return objects.get(InferenceBatch.key(id)).map(InferenceBatch.class::cast);
  }

  /**
   * The receipt batches {@code filter} matches, oldest first, {@code limit} from {@code offset}.
   */
  public Page<InferenceBatch> inferenceBatches(BatchFilter filter, int offset, int limit) {
    return objects.batches(filter, offset, limit);
  }

  /**
   * What {@code ascribe_getAttribution(batch, index)} serves: receipt {@code index} of {@code
   * batch}, with its scores, who earns what from its fee and whether that was paid or refunded.
   */
  public Optional<ReceiptRecord> attribution(Hash batch, int index) {
    return inferenceBatch(batch)
        .filter(b -> index >= 0 && index < b.receipts().size())
        .map(b -> b.receipts().get(index));
  }

  public Optional<ReceiptChallenge> receiptChallenge(Hash id) {
    return objects.get(ReceiptChallenge.key(id)).map(ReceiptChallenge.class::cast);
  }

  /** The user's fee-authorisation nonces and inference spending; empty before its first request. */
  public Optional<FeeAuthorisationNonces> feeAuthorisations(Address user) {
    return objects.get(FeeAuthorisationNonces.key(user)).map(FeeAuthorisationNonces.class::cast);
  }

  /**
   * What slashing knows of a validator key (its recent terms in the set, its punishment); empty for
   * a key whose membership never changed and that was never punished.
   */
  public Optional<ValidatorRecord> validatorRecord(Address validator) {
    return objects.get(ValidatorRecord.key(validator)).map(ValidatorRecord.class::cast);
  }

  /** The attestations of OpenBridge deposit {@code number}, if any validator attested it. */
  public Optional<DepositAttestations> deposit(long number) {
    return objects.get(DepositAttestations.key(number)).map(DepositAttestations.class::cast);
  }

  /** The account's cumulative reward so far (zero if it has earned nothing). */
  public BigInteger rewards(Address account) {
    return objects.rewards().getOrDefault(account, BigInteger.ZERO);
  }

  /** The reward distribution recorded at the end of {@code epoch}, if that epoch has ended. */
  public Optional<EpochRewards> epochRewards(long epoch) {
    return objects.get(EpochRewards.key(epoch)).map(EpochRewards.class::cast);
  }

  /**
   * The EIP-712 domain of the EVM distributor this chain's validators sign epoch roots for; empty
   * when the genesis names none (the chain then signs no epoch roots).
   */
  public Optional<Eip712Domain> settlementDomain() {
    return genesis.settlement().map(Genesis.Settlement::domain);
  }

  /**
   * The EpochRoot block {@code height} carries, empty when that height ends no epoch: for a
   * committed block the one it recorded, for the next block the one it will record, which the
   * committed state already fixes (see {@link TxExecutor#openBlock}), so validators sign and check
   * it before any block of that height exists.
   *
   * @throws IllegalArgumentException for a height past the next one
   */
  public Optional<EpochRoot> epochRoot(long height) {
    Head current = head;
    if (height > current.height() + 1) {
      throw new IllegalArgumentException(
          "block " + height + " is not known yet: the chain is at " + current.height());
    }
    OptionalLong epoch = epochOf(height);
    if (epoch.isEmpty()) {
      return Optional.empty();
    }
    if (height <= current.height()) {
      return epochRewards(epoch.getAsLong()).map(EpochRewards::epochRoot);
    }
    StateOverlay overlay = new StateOverlay(new Committed(current.system()));
    executor.beginBlock(overlay, height);
    return executor
        .openBlock(overlay, height, overlay.system().validators())
        .map(EpochRewards::epochRoot);
  }

  /**
   * The digest the precommits of block {@code height} also sign, the EIP-712 digest of its {@link
   * #epochRoot} under the {@link #settlementDomain}; empty when the height ends no epoch or the
   * chain settles nowhere.
   *
   * @throws IllegalArgumentException for a height past the next one
   */
  public Optional<Hash> epochRootDigest(long height) {
    Optional<Eip712Domain> domain = settlementDomain();
    return domain.isEmpty() ? Optional.empty() : epochRoot(height).map(r -> r.digest(domain.get()));
  }

  /**
   * {@link #epochRootDigest(long)} of an executed block, from the distribution it records (no
   * second Merkle computation).
   */
  public Optional<Hash> epochRootDigest(ExecutedBlock block) {
    OptionalLong epoch = epochOf(block.height());
    Optional<Eip712Domain> domain = settlementDomain();
    if (domain.isEmpty() || epoch.isEmpty()) {
      return Optional.empty();
    }
    EpochRewards recorded =
        (EpochRewards) block.changedObjects().get(EpochRewards.key(epoch.getAsLong()));
    return Optional.of(recorded.epochRoot().digest(domain.get()));
  }

  /**
   * The digest the precommits for a block at {@code height} sign beside their vote: at an epoch's
   * last block the {@link #epochRootDigest}, at the block that announces a new validator set for
   * the EVM distributor its {@link ValidatorSetUpdate#digest} (docs/adr/008; the two never meet at
   * one height), otherwise none; none at all when the chain settles nowhere.
   *
   * @throws IllegalArgumentException for a height past the next one
   */
  public Optional<Hash> precommitDigest(long height) {
    Optional<Hash> epochRoot = epochRootDigest(height);
    if (epochRoot.isPresent() || settlementDomain().isEmpty()) {
      return epochRoot;
    }
    return validatorSetUpdateAt(height).map(u -> u.digest(settlementDomain().get()));
  }

  /** {@link #precommitDigest(long)} of an executed block, from the objects it records. */
  public Optional<Hash> precommitDigest(ExecutedBlock block) {
    Optional<Hash> epochRoot = epochRootDigest(block);
    Optional<Eip712Domain> domain = settlementDomain();
    if (epochRoot.isPresent() || domain.isEmpty()) {
      return epochRoot;
    }
    long updates = block.system().rotation().updates();
    if (updates == 0) {
      return Optional.empty();
    }
    LedgerObject last = block.changedObjects().get(ValidatorSetUpdate.key(updates - 1));
    return last instanceof ValidatorSetUpdate u && u.height() == block.height()
        ? Optional.of(u.digest(domain.get()))
        : Optional.empty();
  }

  /**
   * The validator-set update whose digest block {@code height}'s precommits sign, if that block
   * announces one: for a committed block the one it recorded, for the next block the one it will.
   *
   * @throws IllegalArgumentException for a height past the next one
   */
  public Optional<ValidatorSetUpdate> validatorSetUpdateAt(long height) {
    Head current = head;
    if (height > current.height() + 1) {
      throw new IllegalArgumentException(
          "block " + height + " is not known yet: the chain is at " + current.height());
    }
    SystemState before;
    long updates;
    if (height <= current.height()) {
      // The rotation record only grows: find the update with this height by its nonce.
      updates = current.system().rotation().updates();
      for (long nonce = updates - 1; nonce >= 0; nonce--) {
        Optional<ValidatorSetUpdate> u = validatorSetUpdate(nonce);
        if (u.isEmpty() || u.get().height() < height) {
          return Optional.empty();
        }
        if (u.get().height() == height) {
          return u;
        }
      }
      return Optional.empty();
    }
    before = current.system();
    StateOverlay overlay = new StateOverlay(new Committed(before));
    executor.beginBlock(overlay, height);
    updates = overlay.system().rotation().updates();
    if (updates == before.rotation().updates()) {
      return Optional.empty();
    }
    return overlay.object(ValidatorSetUpdate.key(updates - 1)).map(ValidatorSetUpdate.class::cast);
  }

  /** The committed validator-set update with this nonce (counted from 0). */
  public Optional<ValidatorSetUpdate> validatorSetUpdate(long nonce) {
    return objects.get(ValidatorSetUpdate.key(nonce)).map(ValidatorSetUpdate.class::cast);
  }

  /** How many validator-set updates the committed chain holds (the nonce of the next). */
  public long validatorSetUpdates() {
    return head.system().rotation().updates();
  }

  /**
   * What {@code ascribe_getRewardProof(address, epoch)} serves: the account's cumulative amount at
   * the end of {@code epoch} and its proof against that epoch's root; empty if the epoch has not
   * ended or the account had earned nothing by then.
   */
  public Optional<RewardProof> rewardProof(Address account, long epoch) {
    return epochRewards(epoch).flatMap(e -> e.proof(account));
  }

  @Override
  public AccountState account(Address address) {
    return accounts.getOrDefault(address, AccountState.EMPTY);
  }

  @Override
  public SystemState system() {
    return head.system();
  }

  /** The validators that sign the next block (stake changes due at that height applied). */
  public ValidatorSet nextValidators() {
    Head current = head;
    StateOverlay overlay = new StateOverlay(new Committed(current.system()));
    executor.beginBlock(overlay, current.height() + 1);
    return overlay.system().validators();
  }

  public Genesis genesis() {
    return genesis;
  }

  public TxExecutor executor() {
    return executor;
  }

  public long height() {
    return head.height();
  }

  public Header headHeader() {
    return head.block().getHeader();
  }

  public Hash headHash() {
    return head.hash();
  }

  public Optional<Block> block(long height) {
    Head current = head;
    if (height > current.height()) {
      return Optional.empty();
    }
    return height == current.height() ? Optional.of(current.block()) : store.block(height);
  }

  public Optional<Commit> commitOf(long height) {
    return height > head.height() ? Optional.empty() : store.commit(height);
  }

  public Optional<TxReceipt> receipt(Hash txHash) {
    return store.receipt(txHash).map(TxReceipt::fromProto);
  }

  /**
   * A proof of the account's state (or absence) under the head's state root, with that head's
   * height and root.
   */
  public AnchoredProof proof(Address address) {
    Hash key = StateTreeHashing.accountKey(address);
    while (true) {
      Head current = head;
      StateTree.Path path = current.tree().path(key);
      Optional<AccountProof.Neighbour> end = path.leaf();
      if (end.isEmpty() || !end.get().key().equals(key)) {
        AccountProof absent = new AccountProof(address, Optional.empty(), path.siblings(), end);
        return new AnchoredProof(current.height(), current.tree().root(), absent);
      }
      // The account map moves to the next block a moment before the head does; take the state
      // only when it is the one this head's tree commits to.
      AccountState state = accounts.getOrDefault(address, AccountState.EMPTY);
      if (state.valueHash().equals(end.get().valueHash())) {
        AccountProof present =
            new AccountProof(address, Optional.of(state), path.siblings(), Optional.empty());
        return new AnchoredProof(current.height(), current.tree().root(), present);
      }
      Thread.onSpinWait();
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
