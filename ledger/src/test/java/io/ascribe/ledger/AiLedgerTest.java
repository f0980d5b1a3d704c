package io.ascribe.ledger;

import static io.ascribe.ledger.LedgerFixture.BOND_LOCK;
import static io.ascribe.ledger.LedgerFixture.CHAIN_ID;
import static io.ascribe.ledger.LedgerFixture.EPOCH_LENGTH;
import static io.ascribe.ledger.LedgerFixture.MIN_FEE;
import static io.ascribe.ledger.LedgerFixture.USERS;
import static io.ascribe.ledger.LedgerFixture.VALIDATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.merkle.AbiEncoding;
import io.ascribe.core.merkle.MerkleTree;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.CommitSig;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.settlement.EpochRoot;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.ledger.ai.EpochRewards;
import io.ascribe.ledger.ai.Model;
import io.ascribe.ledger.ai.RewardProof;
import io.ascribe.ledger.exec.BlockContext;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.InvalidBlockException;
import io.ascribe.ledger.exec.StateOverlay;
import io.ascribe.ledger.exec.TxExecutor;
import io.ascribe.ledger.exec.TxReceipt;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datanets, contributions, models and epoch rewards, through the ledger's public API. */
class AiLedgerTest {
  private static final BigInteger OPEN = Amount.ONE_OPEN;
  private static final BigInteger MIN_BOND = OPEN.multiply(BigInteger.TEN);

  /** 80% of MinHash slots equal. */
  private static final int THRESHOLD_BPS = 8_000;

  @TempDir Path dir;
  private Ledger ledger;
  private long time = 1_800_000_000_000L;
  private final Map<Address, Long> nonces = new HashMap<>();
  private final SeededTexts seeded = new SeededTexts(7);

  @BeforeEach
  void open() {
    ledger = Ledger.open(dir, LedgerFixture.genesis());
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private SignedTransaction sign(PrivateKey key, TxBody body) {
    return SignedTransaction.sign(body, key);
  }

  private long nonce(PrivateKey key) {
    return nonces.merge(key.address(), 1L, Long::sum) - 1;
  }

  private ExecutedBlock commit(Address proposer, SignedTransaction... txs) {
    ExecutedBlock block = ledger.propose(List.of(txs), time += 1000, proposer);
    assertThat(block.rejected()).isEmpty();
    ledger.commit(block, Commit.newBuilder().setHeight(block.height()).build());
    return block;
  }

  private ExecutedBlock commit(SignedTransaction... txs) {
    return commit(VALIDATOR.address(), txs);
  }

  private TxReceipt run(SignedTransaction tx) {
    return commit(tx).receipts().get(0);
  }

  private Hash createDatanet(PrivateKey owner, int thresholdBps) {
    long nonce = nonce(owner);
    TxReceipt receipt =
        run(
            sign(
                owner,
                TxBodies.createDatanet(
                    CHAIN_ID,
                    nonce,
                    MIN_FEE,
                    "wiki-en",
                    TxBodies.datanetRules(MIN_BOND, "text/v1", thresholdBps))));
    assertThat(receipt.error()).isEmpty();
    return TxExecutor.objectId("datanet", owner.address(), nonce);
  }

  private SignedTransaction contribution(
      PrivateKey from, Hash datanet, String text, BigInteger bond) {
    return sign(
        from,
        TxBodies.contribute(
            CHAIN_ID,
            nonce(from),
            MIN_FEE,
            datanet,
            Keccak.hash(text.getBytes(StandardCharsets.UTF_8)),
            text.length(),
            SeededTexts.minhash(text),
            bond));
  }

  /** Contributes and returns the new contribution's id (the receipt must succeed). */
  private Hash contribute(PrivateKey from, Hash datanet, String text) {
    long next = nonces.getOrDefault(from.address(), 0L);
    TxReceipt receipt = run(contribution(from, datanet, text, MIN_BOND));
    assertThat(receipt.error()).isEmpty();
    return TxExecutor.objectId("contribution", from.address(), next);
  }

  /** Balances + stakes + unbonding + bonds + credited rewards = total supply. */
  private void assertSupplyInvariant(PrivateKey... others) {
    LedgerFixture.assertSupplyInvariant(ledger, others);
  }

  // ---- datanets ------------------------------------------------------------------------------

  @Test
  void createDatanetStoresItUnderADeterministicId() {
    PrivateKey owner = USERS.get(0);
    Hash id = createDatanet(owner, THRESHOLD_BPS);
    assertThat(ledger.datanet(id))
        .hasValueSatisfying(
            d -> {
              assertThat(d.owner()).isEqualTo(owner.address());
              assertThat(d.name()).isEqualTo("wiki-en");
              assertThat(d.rules().minBond()).isEqualTo(MIN_BOND);
              assertThat(d.rules().schemaId()).isEqualTo("text/v1");
              assertThat(d.rules().nearDuplicateBps()).isEqualTo(THRESHOLD_BPS);
              assertThat(d.key()).isEqualTo(Datanet.key(id));
            });
    assertSupplyInvariant();
  }

  @Test
  void createDatanetRefusesBadRules() {
    PrivateKey owner = USERS.get(0);
    TxReceipt blank =
        run(
            sign(
                owner,
                TxBodies.createDatanet(
                    CHAIN_ID,
                    nonce(owner),
                    MIN_FEE,
                    " ",
                    TxBodies.datanetRules(MIN_BOND, "text/v1", THRESHOLD_BPS))));
    assertThat(blank.error()).isEqualTo("datanet name must be 1 to 128 characters");
    TxReceipt threshold =
        run(
            sign(
                owner,
                TxBodies.createDatanet(
                    CHAIN_ID,
                    nonce(owner),
                    MIN_FEE,
                    "x",
                    TxBodies.datanetRules(MIN_BOND, "text/v1", 10_001))));
    assertThat(threshold.error())
        .isEqualTo("near-duplicate threshold must be in [1, 10000] basis points, got 10001");
    TxReceipt schema =
        run(
            sign(
                owner,
                TxBodies.createDatanet(
                    CHAIN_ID,
                    nonce(owner),
                    MIN_FEE,
                    "x",
                    TxBodies.datanetRules(MIN_BOND, "", THRESHOLD_BPS))));
    assertThat(schema.error()).isEqualTo("datanet schema id must be 1 to 128 characters");
  }

  // ---- contributions -------------------------------------------------------------------------

  @Test
  void contributeBondsAndRecordsTheContribution() {
    Hash datanet = createDatanet(USERS.get(0), THRESHOLD_BPS);
    PrivateKey bob = USERS.get(1);
    BigInteger before = ledger.account(bob.address()).balance();
    String text = seeded.text(200);
    Hash id = contribute(bob, datanet, text);

    assertThat(ledger.account(bob.address()).balance())
        .isEqualTo(before.subtract(MIN_BOND).subtract(MIN_FEE));
    assertThat(ledger.system().bonded()).isEqualTo(MIN_BOND);
    assertThat(ledger.contribution(id))
        .hasValueSatisfying(
            c -> {
              assertThat(c.contributor()).isEqualTo(bob.address());
              assertThat(c.datanet()).isEqualTo(datanet);
              assertThat(c.contentHash())
                  .isEqualTo(Keccak.hash(text.getBytes(StandardCharsets.UTF_8)));
              assertThat(c.bond()).isEqualTo(MIN_BOND);
              assertThat(c.status()).isEqualTo(Contribution.Status.ACTIVE);
              assertThat(c.height()).isEqualTo(ledger.height());
            });
    assertSupplyInvariant();
  }

  @Test
  void contributeRefusesEachBrokenRuleWithItsReasonAndKeepsTheBond() {
    Hash datanet = createDatanet(USERS.get(0), THRESHOLD_BPS);
    PrivateKey bob = USERS.get(1);
    String original = seeded.text(200);
    Hash first = contribute(bob, datanet, original);
    BigInteger bonded = ledger.system().bonded();
    BigInteger balance = ledger.account(bob.address()).balance();

    Hash unknown = Keccak.hash(new byte[] {1});
    assertThat(run(contribution(bob, unknown, seeded.text(50), MIN_BOND)).error())
        .isEqualTo("unknown datanet " + unknown);
    assertThat(
            run(contribution(bob, datanet, seeded.text(50), MIN_BOND.subtract(BigInteger.ONE)))
                .error())
        .isEqualTo("bond 9.999999999999999999 OPEN is below the datanet's minimum bond 10 OPEN");
    assertThat(run(contribution(bob, datanet, original, MIN_BOND)).error())
        .isEqualTo(
            "content "
                + Keccak.hash(original.getBytes(StandardCharsets.UTF_8))
                + " is already contribution "
                + first
                + " in this datanet");
    assertThat(
            run(contribution(USERS.get(2), datanet, seeded.perturb(original, 100), MIN_BOND))
                .error())
        .startsWith("near duplicate of contribution " + first + ": MinHash similarity ")
        .endsWith("bps is at or above the datanet's threshold 8000 bps");
    TxReceipt shortSignature =
        run(
            sign(
                bob,
                TxBodies.contribute(
                    CHAIN_ID,
                    nonce(bob),
                    MIN_FEE,
                    datanet,
                    Keccak.hash(new byte[] {2}),
                    1,
                    new long[] {1, 2, 3},
                    MIN_BOND)));
    assertThat(shortSignature.error()).isEqualTo("a MinHash signature has 64 values, got 3");
    PrivateKey pauper = LedgerFixture.key(50);
    commit(
        sign(
            USERS.get(2),
            TxBodies.transfer(CHAIN_ID, nonce(USERS.get(2)), MIN_FEE, pauper.address(), OPEN)));
    assertThat(run(contribution(pauper, datanet, seeded.text(50), MIN_BOND)).error())
        .contains("exceeds the balance");

    // Every refused contribution paid its fee and nothing else.
    assertThat(ledger.system().bonded()).isEqualTo(bonded);
    assertThat(ledger.account(bob.address()).balance())
        .isEqualTo(balance.subtract(MIN_FEE.multiply(BigInteger.valueOf(4))));
    assertSupplyInvariant(pauper);
  }

  @Test
  void nearDuplicatesFromASeededCorpusAreRefusedAndDistinctTextsAccepted() {
    // 70%: a near copy below (one word in 100 changed, Jaccard about 0.9) is far above it even
    // with MinHash's estimation error, a rewrite (one word in 3) far below.
    Hash datanet = createDatanet(USERS.get(0), 7_000);
    PrivateKey alice = USERS.get(1);
    PrivateKey copier = USERS.get(2);
    List<Hash> originals = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String text = seeded.text(150 + seeded.random().nextInt(100));
      texts.add(text);
      originals.add(contribute(alice, datanet, text));
    }
    for (int i = 0; i < texts.size(); i++) {
      String near = seeded.perturb(texts.get(i), 100);
      String error = run(contribution(copier, datanet, near, MIN_BOND)).error();
      assertThat(error).startsWith("near duplicate of contribution " + originals.get(i));
      // One word in 3 changed: almost no shingle survives, so this is new content.
      assertThat(contribute(copier, datanet, seeded.perturb(texts.get(i), 3))).isNotNull();
    }
    // Two near copies in one block: the second is checked against the first.
    String fresh = seeded.text(200);
    ExecutedBlock block =
        commit(
            contribution(alice, datanet, fresh, MIN_BOND),
            contribution(copier, datanet, seeded.perturb(fresh, 100), MIN_BOND));
    assertThat(block.receipts().get(0).error()).isEmpty();
    assertThat(block.receipts().get(1).error()).startsWith("near duplicate of contribution");
    assertSupplyInvariant();
  }

  @Test
  void withdrawReturnsTheBondOnlyAfterTheLockAndOnlyOnce() {
    Hash datanet = createDatanet(USERS.get(0), THRESHOLD_BPS);
    PrivateKey bob = USERS.get(1);
    Hash id = contribute(bob, datanet, seeded.text(100));
    long contributedAt = ledger.height();

    assertThat(
            run(sign(bob, TxBodies.withdrawContribution(CHAIN_ID, nonce(bob), MIN_FEE, id)))
                .error())
        .isEqualTo(
            "contribution "
                + id
                + "'s bond is locked until height "
                + (contributedAt + BOND_LOCK)
                + ", now "
                + (contributedAt + 1));
    PrivateKey other = USERS.get(2);
    assertThat(
            run(sign(other, TxBodies.withdrawContribution(CHAIN_ID, nonce(other), MIN_FEE, id)))
                .error())
        .isEqualTo("only contribution " + id + "'s contributor may withdraw its bond");
    Hash unknown = Keccak.hash(new byte[] {9});
    assertThat(
            run(sign(bob, TxBodies.withdrawContribution(CHAIN_ID, nonce(bob), MIN_FEE, unknown)))
                .error())
        .isEqualTo("unknown contribution " + unknown);
    while (ledger.height() + 1 < contributedAt + BOND_LOCK) {
      commit();
    }
    BigInteger before = ledger.account(bob.address()).balance();
    assertThat(
            run(sign(bob, TxBodies.withdrawContribution(CHAIN_ID, nonce(bob), MIN_FEE, id)))
                .error())
        .isEmpty();
    assertThat(ledger.account(bob.address()).balance())
        .isEqualTo(before.add(MIN_BOND).subtract(MIN_FEE));
    assertThat(ledger.contribution(id).orElseThrow().status())
        .isEqualTo(Contribution.Status.WITHDRAWN);
    assertThat(ledger.system().bonded()).isZero();
    assertThat(
            run(sign(bob, TxBodies.withdrawContribution(CHAIN_ID, nonce(bob), MIN_FEE, id)))
                .error())
        .isEqualTo("contribution " + id + " is already withdrawn");
    assertSupplyInvariant();
  }

  @Test
  void aSlashedContributionsBondCannotBeWithdrawn() {
    Hash datanet = createDatanet(USERS.get(0), THRESHOLD_BPS);
    PrivateKey bob = USERS.get(1);
    Hash id = contribute(bob, datanet, seeded.text(100));
    // Slashing arrives with tuning-job attestations; until then, put a slashed record in place.
    StateOverlay overlay = new StateOverlay(ledger);
    overlay.put(ledger.contribution(id).orElseThrow().withStatus(Contribution.Status.SLASHED));
    SignedTransaction withdraw =
        sign(bob, TxBodies.withdrawContribution(CHAIN_ID, nonce(bob), MIN_FEE, id));
    TxReceipt receipt =
        ledger
            .executor()
            .apply(
                overlay,
                withdraw,
                bob.address(),
                new BlockContext(ledger.height() + BOND_LOCK, Hash.ZERO, VALIDATOR.address()),
                0);
    assertThat(receipt.error())
        .isEqualTo("contribution " + id + " was slashed: its bond is forfeit");
  }

  // ---- models --------------------------------------------------------------------------------

  @Test
  void registerModelRecordsItsHashesArchitectureAndLicence() {
    PrivateKey owner = USERS.get(0);
    long nonce = nonce(owner);
    Hash weights = Keccak.hash("weights".getBytes(StandardCharsets.UTF_8));
    Hash config = Keccak.hash("config".getBytes(StandardCharsets.UTF_8));
    TxReceipt receipt =
        run(
            sign(
                owner,
                TxBodies.registerModel(
                    CHAIN_ID, nonce, MIN_FEE, weights, config, "llama", "Apache-2.0")));
    assertThat(receipt.error()).isEmpty();
    Hash id = TxExecutor.objectId("model", owner.address(), nonce);
    assertThat(ledger.model(id))
        .contains(
            new Model(
                id, owner.address(), weights, config, "llama", "Apache-2.0", ledger.height()));

    TxReceipt noLicence =
        run(
            sign(
                owner,
                TxBodies.registerModel(
                    CHAIN_ID, nonce(owner), MIN_FEE, weights, config, "llama", "")));
    assertThat(noLicence.error()).isEqualTo("model licence must be 1 to 128 characters");
  }

  // ---- persistence ---------------------------------------------------------------------------

  @Test
  void restartReloadsObjectsAndTheirIndicesUnderTheSameRoot() {
    Hash datanet = createDatanet(USERS.get(0), THRESHOLD_BPS);
    String text = seeded.text(200);
    Hash id = contribute(USERS.get(1), datanet, text);
    Hash root = Hash.copyOf(ledger.headHeader().getStateRoot().toByteArray());
    Datanet storedDatanet = ledger.datanet(datanet).orElseThrow();
    Contribution storedContribution = ledger.contribution(id).orElseThrow();
    ledger.close();

    ledger = Ledger.open(dir, LedgerFixture.genesis());

    assertThat(Hash.copyOf(ledger.headHeader().getStateRoot().toByteArray())).isEqualTo(root);
    assertThat(ledger.datanet(datanet)).contains(storedDatanet);
    assertThat(ledger.contribution(id)).contains(storedContribution);
    assertThat(run(contribution(USERS.get(2), datanet, text, MIN_BOND)).error())
        .contains("is already contribution " + id);
    assertThat(
            run(contribution(USERS.get(2), datanet, seeded.perturb(text, 100), MIN_BOND)).error())
        .startsWith("near duplicate of contribution " + id);
    assertSupplyInvariant();
  }

  // ---- epoch rewards -------------------------------------------------------------------------

  @Test
  void epochEndRecordsARewardRootThatMatchesAnIndependentTreeAndItsProofsVerify() {
    List<Address> proposers =
        List.of(
            VALIDATOR.address(), LedgerFixture.key(60).address(), LedgerFixture.key(61).address());
    Hash datanet = createDatanet(USERS.get(0), THRESHOLD_BPS);
    int i = 0;
    while (ledger.height() < EPOCH_LENGTH - 1) {
      PrivateKey user = USERS.get(i % USERS.size());
      commit(
          proposers.get(i % proposers.size()),
          contribution(user, datanet, seeded.text(80), MIN_BOND));
      i++;
    }
    // The root is of the rewards as the epoch's last block begins: its own fees count later.
    Map<Address, BigInteger> atLastBlock = Map.copyOf(ledger.rewards());
    commit(proposers.get(0), contribution(USERS.get(0), datanet, seeded.text(80), MIN_BOND));
    assertThat(ledger.rewards(proposers.get(0))).isGreaterThan(atLastBlock.get(proposers.get(0)));
    assertThat(ledger.height()).isEqualTo(EPOCH_LENGTH);
    Hash headerRoot = Hash.copyOf(ledger.headHeader().getRewardsRoot().toByteArray());

    // Built again from the raw cumulative amounts, with the leaf spelled out by hand.
    List<Hash> leaves = new ArrayList<>();
    for (Map.Entry<Address, BigInteger> e : atLastBlock.entrySet()) {
      byte[] encoded =
          AbiEncoding.encode(AbiEncoding.address(e.getKey()), AbiEncoding.uint256(e.getValue()));
      leaves.add(Keccak.hash(Keccak.hash(encoded).toArray()));
    }
    assertThat(leaves).hasSize(3);
    MerkleTree independent = MerkleTree.of(leaves);
    assertThat(headerRoot).isEqualTo(independent.root());
    EpochRewards epoch = ledger.epochRewards(1).orElseThrow();
    assertThat(epoch.root()).isEqualTo(headerRoot);
    assertThat(epoch.height()).isEqualTo(EPOCH_LENGTH);

    for (Address proposer : proposers) {
      RewardProof proof = ledger.rewardProof(proposer, 1).orElseThrow();
      assertThat(proof.cumulative()).isEqualTo(atLastBlock.get(proposer)).isPositive();
      assertThat(proof.verify()).isTrue();
      Hash leaf = EpochRewards.leaf(proposer, proof.cumulative());
      assertThat(MerkleTree.verify(proof.siblings(), headerRoot, leaf)).isTrue();
      assertThat(proof.siblings()).isEqualTo(independent.proof(leaf));
      assertThat(
              MerkleTree.verify(
                  proof.siblings(),
                  headerRoot,
                  EpochRewards.leaf(proposer, proof.cumulative().add(BigInteger.ONE))))
          .isFalse();
    }
    assertThat(ledger.rewardProof(USERS.get(0).address(), 1)).isEmpty();
    assertThat(ledger.rewardProof(VALIDATOR.address(), 2)).isEmpty();

    // Between epochs the header carries no root; the next epoch's amounts only grow.
    commit(
        proposers.get(0),
        sign(
            USERS.get(0),
            TxBodies.transfer(
                CHAIN_ID, nonce(USERS.get(0)), MIN_FEE, USERS.get(1).address(), OPEN)));
    assertThat(ledger.headHeader().getRewardsRoot().isEmpty()).isTrue();
    while (ledger.height() < 2 * EPOCH_LENGTH) {
      commit();
    }
    BigInteger first = ledger.rewardProof(VALIDATOR.address(), 1).orElseThrow().cumulative();
    BigInteger second = ledger.rewardProof(VALIDATOR.address(), 2).orElseThrow().cumulative();
    assertThat(second).isGreaterThan(first);
    assertThat(ledger.rewardProof(VALIDATOR.address(), 2).orElseThrow().verify()).isTrue();
    assertSupplyInvariant();

    // The epoch records survive a restart, so proofs can still be served.
    ledger.close();
    ledger = Ledger.open(dir, LedgerFixture.genesis());
    assertThat(ledger.epochRewards(1)).contains(epoch);
    assertThat(ledger.rewardProof(proposers.get(1), 1).orElseThrow().verify()).isTrue();
  }

  @Test
  void theNextEpochRootIsFixedBeforeItsBlockWhoeverProposesIt() {
    while (ledger.height() < EPOCH_LENGTH - 1) {
      commit(
          sign(
              USERS.get(0),
              TxBodies.transfer(
                  CHAIN_ID, nonce(USERS.get(0)), MIN_FEE, USERS.get(1).address(), OPEN)));
    }
    EpochRoot expected = ledger.epochRoot(EPOCH_LENGTH).orElseThrow();
    assertThat(expected.epoch()).isEqualTo(1);
    assertThat(expected.validatorSetHash())
        .isEqualTo(
            new ValidatorSet(
                    List.of(
                        new ValidatorSet.Validator(
                            VALIDATOR.address(), LedgerFixture.MIN_STAKE.multiply(BigInteger.TEN))))
                .settlementSet()
                .hash());
    // Two rounds' proposals of the epoch's last block, by different proposers with different
    // transactions, carry the same root: the one the validators already sign.
    SignedTransaction fee =
        sign(
            USERS.get(2),
            TxBodies.transfer(CHAIN_ID, nonce(USERS.get(2)), OPEN, USERS.get(1).address(), OPEN));
    ExecutedBlock round0 = ledger.propose(List.of(fee), time += 1000, VALIDATOR.address());
    ExecutedBlock round1 = ledger.propose(List.of(), time, LedgerFixture.key(60).address());
    for (ExecutedBlock proposal : List.of(round0, round1)) {
      assertThat(Hash.copyOf(proposal.block().getHeader().getRewardsRoot().toByteArray()))
          .isEqualTo(expected.rewardsRoot());
    }
    ledger.commit(round0, Commit.newBuilder().setHeight(round0.height()).build());
    assertThat(ledger.epochRoot(EPOCH_LENGTH)).contains(expected);
    assertThat(ledger.epochRewards(1).orElseThrow().epochRoot()).isEqualTo(expected);
    assertThat(ledger.epochRoot(EPOCH_LENGTH + 1)).isEmpty();
    assertThat(ledger.epochRootDigest(EPOCH_LENGTH)).as("no settlement in the genesis").isEmpty();
    assertThatThrownBy(() -> ledger.epochRoot(EPOCH_LENGTH + 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not known yet");
  }

  @Test
  void aSyncedEpochEndBlockNeedsEveryPrecommitsEpochRootSignature() {
    Genesis.Settlement settlement =
        new Genesis.Settlement(
            31337, Address.fromHex("0x00000000000000000000000000000000000000d1"));
    Genesis settled = LedgerFixture.genesis().withSettlement(Optional.of(settlement));
    ledger.close();
    ledger = Ledger.open(dir.resolve("producer"), settled);
    try (Ledger follower = Ledger.open(dir.resolve("follower"), settled)) {
      while (ledger.height() < EPOCH_LENGTH) {
        long height = ledger.height() + 1;
        Optional<Hash> digest = ledger.epochRootDigest(height);
        assertThat(digest.isPresent()).isEqualTo(height == EPOCH_LENGTH);
        ExecutedBlock block = ledger.propose(List.of(), time += 1000, VALIDATOR.address());
        Commit commit = precommit(block, digest);
        if (digest.isPresent()) {
          assertThat(digest.get())
              .isEqualTo(ledger.epochRoot(height).orElseThrow().digest(settlement.domain()));
          Commit unattested = precommit(block, Optional.empty());
          assertThatThrownBy(() -> follower.importBlock(block.block(), unattested))
              .isInstanceOf(InvalidBlockException.class)
              .hasMessageContaining("lacks the epoch-root signature");
          assertThat(follower.height()).isEqualTo(height - 1);
        }
        ledger.commit(block, commit);
        follower.importBlock(block.block(), commit);
      }
      assertThat(follower.commitOf(EPOCH_LENGTH)).contains(ledger.commitOf(EPOCH_LENGTH).get());
    }
  }

  private static Commit precommit(ExecutedBlock block, Optional<Hash> epochRootDigest) {
    CommitSig.Builder sig =
        CommitSig.newBuilder()
            .setValidator(ByteString.copyFrom(VALIDATOR.address().toArray()))
            .setSignature(
                ByteString.copyFrom(
                    VALIDATOR
                        .sign(
                            BlockHashing.voteDigest(
                                BlockHashing.precommit(CHAIN_ID, block.height(), 0, block.hash())))
                        .toBytes()));
    epochRootDigest.ifPresent(
        d -> sig.setEpochRootSignature(ByteString.copyFrom(VALIDATOR.sign(d).toBytes())));
    return Commit.newBuilder()
        .setHeight(block.height())
        .setBlockHash(ByteString.copyFrom(block.hash().toArray()))
        .addSignatures(sig)
        .build();
  }
}
