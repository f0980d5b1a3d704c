package io.ascribe.contracts.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.contracts.Anvil;
import io.ascribe.contracts.generated.OpenBridge;
import io.ascribe.contracts.generated.OpenToken;
import io.ascribe.contracts.generated.RewardDistributor;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.settlement.Eip712Domain;
import io.ascribe.core.settlement.SettlementMessages;
import io.ascribe.core.settlement.ValidatorSet;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** RewardDistributor and OpenBridge on a real EVM (anvil), driven by the Java client. */
class RewardDistributorIT {
  static final BigInteger OPEN = BigInteger.TEN.pow(18);
  static final BigInteger SUPPLY = OPEN.multiply(BigInteger.valueOf(1_000_000_000));
  static final BigInteger POOL = OPEN.multiply(BigInteger.valueOf(1_000_000));

  static Anvil anvil;
  static SettlementClient client;

  /** Powers 10, 20, 30, 40 of 100: more than 2/3 needs at least 67. */
  final List<PrivateKey> setA = Validators.keys("validator-a-", 4);

  final ValidatorSet validatorsA = Validators.set(setA, List.of(10L, 20L, 30L, 40L));
  Contracts contracts;

  @BeforeAll
  static void startAnvil() {
    anvil = Anvil.start();
    client = new SettlementClient(anvil.web3j(), Anvil.DEPLOYER);
  }

  @AfterAll
  static void stopAnvil() {
    if (anvil != null) {
      anvil.close();
    }
  }

  @BeforeEach
  void deploy() {
    contracts = client.deployAll(SUPPLY, validatorsA, POOL);
  }

  /** Keys of set A with the given powers (10, 20, 30 or 40). */
  List<PrivateKey> withPowers(long... powers) {
    List<PrivateKey> keys = new ArrayList<>();
    for (long p : powers) {
      keys.add(setA.get((int) (p / 10) - 1));
    }
    return keys;
  }

  List<byte[]> signEpoch(List<PrivateKey> keys, long epoch, Hash root) {
    return ValidatorSignatures.signAll(
        keys, client.epochRootDigest(contracts.distributor(), epoch, root));
  }

  RewardsTree tree(Map<Address, BigInteger> amounts) {
    return RewardsTree.of(amounts);
  }

  static Address wallet(int i) {
    return Validators.key("wallet-" + i).address();
  }

  static BigInteger open(String amount) {
    return new java.math.BigDecimal(amount)
        .multiply(new java.math.BigDecimal(OPEN))
        .toBigIntegerExact();
  }

  void assertReverts(Runnable action, String error) {
    assertThatThrownBy(action::run)
        .isInstanceOf(ContractRevertedException.class)
        .satisfies(e -> assertThat(((ContractRevertedException) e).errorName()).isEqualTo(error));
  }

  // ---------------------------------------------------------------------------------------------
  // Happy path

  @Test
  void digestsBuiltInJavaAreTheContractsDigests() {
    var distributor = contracts.distributor();
    Hash root = Hash.fromHex("0x" + "ab".repeat(32));
    RewardDistributor onChain =
        RewardDistributor.load(
            distributor.toString(),
            anvil.web3j(),
            new org.web3j.tx.ReadonlyTransactionManager(anvil.web3j(), distributor.toString()),
            new org.web3j.tx.gas.StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
    assertThat(client.validatorSetHash(distributor)).isEqualTo(validatorsA.hash());
    try {
      assertThat(Hash.wrap(onChain.domainSeparator().send()))
          .isEqualTo(client.domain(distributor).separator());
      assertThat(Hash.wrap(onChain.epochRootDigest(BigInteger.valueOf(7), root.toArray()).send()))
          .isEqualTo(client.epochRootDigest(distributor, 7, root));
      ValidatorSet next = Validators.equalPower(Validators.keys("next-", 3));
      assertThat(
              Hash.wrap(
                  onChain.validatorSetUpdateDigest(BigInteger.ZERO, next.hash().toArray()).send()))
          .isEqualTo(client.validatorSetUpdateDigest(distributor, next));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void threeEpochsAndARotationPayEveryWalletItsCumulativeRewardsExactly() {
    Address distributor = contracts.distributor();
    Address token = contracts.token();

    // Epoch 1: wallets 0-2 earn; 0 and 1 claim.
    Map<Address, BigInteger> e1 = new LinkedHashMap<>();
    e1.put(wallet(0), open("1.5"));
    e1.put(wallet(1), open("20"));
    e1.put(wallet(2), BigInteger.ONE);
    RewardsTree t1 = tree(e1);
    client.submitEpoch(distributor, 1, t1.root(), signEpoch(withPowers(40, 30), 1, t1.root()));
    assertThat(client.latestEpoch(distributor)).isEqualTo(1);
    client.claim(distributor, t1, wallet(0));
    client.claim(distributor, t1, wallet(1));

    // Epoch 2: everyone earns more, wallet 3 joins; 0 and 2 claim, 1 waits.
    Map<Address, BigInteger> e2 = new LinkedHashMap<>();
    e2.put(wallet(0), open("2.25"));
    e2.put(wallet(1), open("35"));
    e2.put(wallet(2), open("0.000000000000001"));
    e2.put(wallet(3), open("7"));
    RewardsTree t2 = tree(e2);
    client.submitEpoch(distributor, 2, t2.root(), signEpoch(withPowers(10, 20, 40), 2, t2.root()));
    client.claim(distributor, t2, wallet(0));
    client.claim(distributor, t2, wallet(2));
    assertThat(client.balanceOf(token, wallet(0))).isEqualTo(open("2.25"));
    assertThat(client.balanceOf(token, wallet(1))).isEqualTo(open("20"));

    // Rotation: set A hands over to set B (five validators, two of them from A).
    List<PrivateKey> setB = new ArrayList<>(Validators.keys("validator-b-", 3));
    setB.add(setA.get(2));
    setB.add(setA.get(3));
    ValidatorSet validatorsB = Validators.set(setB, List.of(5L, 5L, 5L, 5L, 5L));
    client.updateValidatorSet(
        distributor,
        validatorsB,
        ValidatorSignatures.signAll(
            withPowers(20, 30, 40), client.validatorSetUpdateDigest(distributor, validatorsB)));
    assertThat(client.validatorSetHash(distributor)).isEqualTo(validatorsB.hash());
    assertThat(client.validatorSetNonce(distributor)).isEqualTo(1);

    // Epoch 3, signed by 4 of B's 5: all wallets claim (wallet 4 new), sent by a relayer.
    Map<Address, BigInteger> e3 = new LinkedHashMap<>();
    e3.put(wallet(0), open("3"));
    e3.put(wallet(1), open("35.000000000000000001"));
    e3.put(wallet(2), open("1"));
    e3.put(wallet(3), open("7"));
    e3.put(wallet(4), open("123456.789"));
    RewardsTree t3 = tree(e3);
    client.submitEpoch(distributor, 3, t3.root(), signEpoch(setB.subList(0, 4), 3, t3.root()));
    for (Address wallet : e3.keySet()) {
      if (!wallet.equals(wallet(3))) {
        client.claim(distributor, t3, wallet);
      }
    }
    // Wallet 3's cumulative did not change since epoch 2: it claims its epoch-3 leaf once.
    client.claim(distributor, t3, wallet(3));

    BigInteger paid = BigInteger.ZERO;
    for (var entry : e3.entrySet()) {
      assertThat(client.balanceOf(token, entry.getKey())).isEqualTo(entry.getValue());
      assertThat(client.claimed(distributor, entry.getKey())).isEqualTo(entry.getValue());
      paid = paid.add(entry.getValue());
    }
    assertThat(client.balanceOf(token, distributor)).isEqualTo(POOL.subtract(paid));
  }

  @Test
  void claimEmitsAnEventAndAnyoneMaySendItForTheAccount() {
    Address distributor = contracts.distributor();
    RewardsTree t = tree(Map.of(wallet(0), open("5"), wallet(1), open("6")));
    client.submitEpoch(distributor, 1, t.root(), signEpoch(withPowers(40, 30), 1, t.root()));
    BigInteger relayerBefore = client.balanceOf(contracts.token(), client.sender());
    TransactionReceipt receipt = client.claim(distributor, t, wallet(1));
    var events = RewardDistributor.getClaimedEvents(receipt);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).account).isEqualToIgnoringCase(wallet(1).toString());
    assertThat(events.get(0).cumulativeAmount).isEqualTo(open("6"));
    // What the claim paid: the token's Transfer from the pool to the account, not to the sender.
    var transfers = OpenToken.getTransferEvents(receipt);
    assertThat(transfers).hasSize(1);
    assertThat(transfers.get(0).from).isEqualToIgnoringCase(distributor.toString());
    assertThat(transfers.get(0).to).isEqualToIgnoringCase(wallet(1).toString());
    assertThat(transfers.get(0).value).isEqualTo(open("6"));
    assertThat(client.paidByClaim(distributor, wallet(1), receipt)).isEqualTo(open("6"));
    assertThat(client.paidByClaim(distributor, wallet(0), receipt)).isZero();
    assertThat(client.balanceOf(contracts.token(), client.sender())).isEqualTo(relayerBefore);
  }

  @Test
  void depositsLockOpenAndAreNumberedFromZero() {
    Address bridge = contracts.bridge();
    Address recipient = wallet(9);
    TransactionReceipt first = client.deposit(contracts.token(), bridge, open("10"), recipient);
    TransactionReceipt second = client.deposit(contracts.token(), bridge, open("2.5"), recipient);
    var e1 = OpenBridge.getDepositEvents(first);
    var e2 = OpenBridge.getDepositEvents(second);
    assertThat(e1).singleElement().satisfies(e -> assertThat(e.nonce).isZero());
    assertThat(e2).singleElement().satisfies(e -> assertThat(e.nonce).isOne());
    assertThat(e2.get(0).ascribeRecipient).isEqualToIgnoringCase(recipient.toString());
    assertThat(e2.get(0).from).isEqualToIgnoringCase(client.sender().toString());
    assertThat(e2.get(0).amount).isEqualTo(open("2.5"));
    assertThat(client.depositCount(bridge)).isEqualTo(2);
    assertThat(client.balanceOf(contracts.token(), bridge)).isEqualTo(open("12.5"));
    assertReverts(
        () -> client.deposit(contracts.token(), bridge, BigInteger.ZERO, recipient), "ZeroAmount");
  }

  // ---------------------------------------------------------------------------------------------
  // Must fail: epoch roots

  @Test
  void rootSignedByTwoThirdsOrLessIsRejected() {
    Hash root = Hash.fromHex("0x" + "11".repeat(32));
    Address distributor = contracts.distributor();
    assertReverts(
        () -> client.submitEpoch(distributor, 1, root, signEpoch(withPowers(40, 20), 1, root)),
        "InsufficientPower");
    assertReverts(
        () -> client.submitEpoch(distributor, 1, root, signEpoch(withPowers(10, 20, 30), 1, root)),
        "InsufficientPower");
    assertReverts(() -> client.submitEpoch(distributor, 1, root, List.of()), "InsufficientPower");

    // Exactly 2/3 is not more than 2/3.
    List<PrivateKey> three = Validators.keys("equal-", 3);
    Address equal = client.deployDistributor(contracts.token(), Validators.equalPower(three));
    Hash digest = client.epochRootDigest(equal, 1, root);
    assertReverts(
        () ->
            client.submitEpoch(
                equal, 1, root, ValidatorSignatures.signAll(three.subList(0, 2), digest)),
        "InsufficientPower");
    client.submitEpoch(equal, 1, root, ValidatorSignatures.signAll(three, digest));
    assertThat(client.latestEpoch(distributor)).isZero();
  }

  @Test
  void theSameSignerIsNeverCountedTwice() {
    Hash root = Hash.fromHex("0x" + "22".repeat(32));
    Address distributor = contracts.distributor();
    Hash digest = client.epochRootDigest(distributor, 1, root);
    byte[] strongest = ValidatorSignatures.sign(withPowers(40).get(0), digest);
    // 40 + 40 would pass 2/3 if counted twice.
    assertReverts(
        () -> client.submitEpoch(distributor, 1, root, List.of(strongest, strongest)),
        "SignersNotAscending");
    // The same signer with another valid encoding of its signature is impossible (low s only),
    // and signatures out of order are refused the same way.
    List<byte[]> sorted = signEpoch(withPowers(40, 30), 1, root);
    assertReverts(
        () -> client.submitEpoch(distributor, 1, root, List.of(sorted.get(1), sorted.get(0))),
        "SignersNotAscending");
  }

  @Test
  void signerOutsideTheSetIsRejected() {
    Hash root = Hash.fromHex("0x" + "33".repeat(32));
    List<PrivateKey> keys = new ArrayList<>(withPowers(40, 30));
    keys.add(Validators.key("outsider"));
    assertReverts(
        () -> client.submitEpoch(contracts.distributor(), 1, root, signEpoch(keys, 1, root)),
        "NotAValidator");
  }

  @Test
  void signaturesForAnotherChainOrAnotherDistributorAreRejected() {
    Hash root = Hash.fromHex("0x" + "44".repeat(32));
    Address distributor = contracts.distributor();
    List<PrivateKey> quorum = withPowers(40, 30);

    Eip712Domain otherChain = Eip712Domain.rewardDistributor(1, distributor);
    Hash otherChainDigest =
        SettlementMessages.epochRootDigest(otherChain, 1, root, validatorsA.hash());
    assertReverts(
        () ->
            client.submitEpoch(
                distributor, 1, root, ValidatorSignatures.signAll(quorum, otherChainDigest)),
        "NotAValidator");

    Address twin = client.deployDistributor(contracts.token(), validatorsA);
    List<byte[]> forTwin =
        ValidatorSignatures.signAll(quorum, client.epochRootDigest(twin, 1, root));
    assertReverts(() -> client.submitEpoch(distributor, 1, root, forTwin), "NotAValidator");
    client.submitEpoch(twin, 1, root, forTwin);
  }

  @Test
  void highSAndMalformedSignaturesAreRejected() {
    Hash root = Hash.fromHex("0x" + "55".repeat(32));
    Address distributor = contracts.distributor();
    List<byte[]> good = signEpoch(withPowers(30, 40), 1, root);

    // (r, n - s, v flipped) recovers the same signer: only the low-s form is accepted.
    byte[] highS = good.get(0).clone();
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(highS, 32, 64));
    byte[] flipped = Secp256k1.N.subtract(s).toByteArray();
    Arrays.fill(highS, 32, 64, (byte) 0);
    System.arraycopy(
        flipped,
        Math.max(0, flipped.length - 32),
        highS,
        64 - Math.min(32, flipped.length),
        Math.min(32, flipped.length));
    highS[64] = (byte) (highS[64] == 27 ? 28 : 27);
    assertReverts(
        () -> client.submitEpoch(distributor, 1, root, List.of(highS, good.get(1))),
        "ECDSAInvalidSignatureS");

    byte[] shortSig = Arrays.copyOf(good.get(0), 64);
    assertReverts(
        () -> client.submitEpoch(distributor, 1, root, List.of(shortSig, good.get(1))),
        "ECDSAInvalidSignatureLength");

    byte[] badV = good.get(0).clone();
    badV[64] = 29;
    assertReverts(
        () -> client.submitEpoch(distributor, 1, root, List.of(badV, good.get(1))),
        "ECDSAInvalidSignature");

    byte[] zeroR = good.get(0).clone();
    Arrays.fill(zeroR, 0, 32, (byte) 0);
    assertReverts(
        () -> client.submitEpoch(distributor, 1, root, List.of(zeroR, good.get(1))),
        "ECDSAInvalidSignature");

    client.submitEpoch(distributor, 1, root, good);
  }

  @Test
  void oldOrRepeatedEpochsAreRejected() {
    Address distributor = contracts.distributor();
    Hash root = Hash.fromHex("0x" + "66".repeat(32));
    List<PrivateKey> quorum = withPowers(40, 30);
    assertReverts(
        () -> client.submitEpoch(distributor, 0, root, signEpoch(quorum, 0, root)),
        "EpochNotAfterLatest");
    List<byte[]> five = signEpoch(quorum, 5, root);
    client.submitEpoch(distributor, 5, root, five);
    assertReverts(() -> client.submitEpoch(distributor, 5, root, five), "EpochNotAfterLatest");
    Hash other = Hash.fromHex("0x" + "67".repeat(32));
    assertReverts(
        () -> client.submitEpoch(distributor, 5, other, signEpoch(quorum, 5, other)),
        "EpochNotAfterLatest");
    assertReverts(
        () -> client.submitEpoch(distributor, 4, other, signEpoch(quorum, 4, other)),
        "EpochNotAfterLatest");
    assertThat(client.rewardsRoot(distributor)).isEqualTo(root);

    // And on chain, not only in the simulation: a mined replay fails and changes nothing.
    String replay =
        RewardDistributor.load(
                distributor.toString(),
                anvil.web3j(),
                new org.web3j.tx.ReadonlyTransactionManager(anvil.web3j(), distributor.toString()),
                new org.web3j.tx.gas.StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO))
            .submitEpoch(BigInteger.valueOf(5), root.toArray(), five)
            .encodeFunctionCall();
    TransactionReceipt mined =
        client.sendUnchecked(distributor, replay, BigInteger.valueOf(500_000));
    assertThat(mined.isStatusOK()).isFalse();
    assertThat(client.latestEpoch(distributor)).isEqualTo(5);
  }

  // ---------------------------------------------------------------------------------------------
  // Must fail: validator-set updates

  @Test
  void validatorSetUpdateSignedByAMinorityOfTheOldSetIsRejected() {
    Address distributor = contracts.distributor();
    List<PrivateKey> attackers = Validators.keys("attacker-", 3);
    ValidatorSet takeover = Validators.equalPower(attackers);
    Hash digest = client.validatorSetUpdateDigest(distributor, takeover);
    assertReverts(
        () ->
            client.updateValidatorSet(
                distributor, takeover, ValidatorSignatures.signAll(withPowers(40, 20), digest)),
        "InsufficientPower");
    // The new set cannot vouch for itself.
    assertReverts(
        () ->
            client.updateValidatorSet(
                distributor, takeover, ValidatorSignatures.signAll(attackers, digest)),
        "NotAValidator");
    assertThat(client.validatorSetHash(distributor)).isEqualTo(validatorsA.hash());
  }

  @Test
  void aNewSetWithARepeatedOrUnsortedValidatorOrNoPowerIsRejectedEvenWhenSigned() {
    Address distributor = contracts.distributor();
    Address a = Validators.key("new-a").address();
    Address b = Validators.key("new-b").address();
    Address low = a.compareTo(b) < 0 ? a : b;
    Address high = a.compareTo(b) < 0 ? b : a;
    // One key listed twice would let it sign for two validators.
    assertInvalidSet(distributor, List.of(low, low), List.of(1L, 1L));
    assertInvalidSet(distributor, List.of(high, low), List.of(1L, 1L));
    assertInvalidSet(distributor, List.of(low, high), List.of(1L, 0L));
    assertInvalidSet(distributor, List.of(low, high), List.of(1L));
    assertInvalidSet(distributor, List.of(), List.of());
    assertThat(client.validatorSetHash(distributor)).isEqualTo(validatorsA.hash());
  }

  /** Signs the update to a raw (unchecked) set with all of A and expects InvalidValidatorSet. */
  void assertInvalidSet(Address distributor, List<Address> validators, List<Long> powers) {
    java.io.ByteArrayOutputStream packed = new java.io.ByteArrayOutputStream();
    validators.forEach(v -> packed.writeBytes(io.ascribe.core.merkle.AbiEncoding.address(v)));
    powers.forEach(
        p -> packed.writeBytes(io.ascribe.core.merkle.AbiEncoding.uint256(BigInteger.valueOf(p))));
    Hash setHash = io.ascribe.core.crypto.Keccak.hash(packed.toByteArray());
    Hash digest =
        client.domain(distributor).digest(SettlementMessages.validatorSetUpdate(0, setHash));
    String data =
        reader(distributor)
            .updateValidatorSet(
                validators.stream().map(Address::toString).toList(),
                powers.stream().map(BigInteger::valueOf).toList(),
                ValidatorSignatures.signAll(setA, digest))
            .encodeFunctionCall();
    assertReverts(() -> client.send(distributor, data), "InvalidValidatorSet");
  }

  static RewardDistributor reader(Address distributor) {
    return RewardDistributor.load(
        distributor.toString(),
        anvil.web3j(),
        new org.web3j.tx.ReadonlyTransactionManager(anvil.web3j(), distributor.toString()),
        new org.web3j.tx.gas.StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
  }

  @Test
  void afterARotationTheOldSetCanNeitherSubmitNorReplayTheUpdate() {
    Address distributor = contracts.distributor();
    List<PrivateKey> setB = Validators.keys("validator-b-", 4);
    ValidatorSet validatorsB = Validators.equalPower(setB);
    List<byte[]> update =
        ValidatorSignatures.signAll(
            setA, client.validatorSetUpdateDigest(distributor, validatorsB));
    Hash root = Hash.fromHex("0x" + "77".repeat(32));
    // Signed by A before the rotation, against A's set hash.
    List<byte[]> staleEpoch = signEpoch(setA, 1, root);
    client.updateValidatorSet(distributor, validatorsB, update);

    assertReverts(() -> client.submitEpoch(distributor, 1, root, staleEpoch), "NotAValidator");
    assertReverts(
        () -> client.submitEpoch(distributor, 1, root, signEpoch(setA, 1, root)), "NotAValidator");
    assertReverts(
        () -> client.updateValidatorSet(distributor, validatorsB, update), "NotAValidator");
    client.submitEpoch(distributor, 1, root, signEpoch(setB, 1, root));
  }

  // ---------------------------------------------------------------------------------------------
  // Must fail: claims

  @Test
  void claimsWithAWrongProofOrAmountAreRejected() {
    Address distributor = contracts.distributor();
    Map<Address, BigInteger> amounts = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      amounts.put(wallet(i), open(Integer.toString(i + 1)));
    }
    RewardsTree t = tree(amounts);
    // Before any root, nothing verifies.
    assertReverts(() -> client.claim(distributor, t, wallet(0)), "InvalidProof");
    client.submitEpoch(distributor, 1, t.root(), signEpoch(withPowers(40, 30), 1, t.root()));

    assertReverts(
        () ->
            client.claim(distributor, wallet(0), open("1.000000000000000001"), t.proof(wallet(0))),
        "InvalidProof");
    assertReverts(
        () -> client.claim(distributor, wallet(0), open("5"), t.proof(wallet(4))), "InvalidProof");
    assertReverts(
        () -> client.claim(distributor, wallet(4), open("5"), t.proof(wallet(0))), "InvalidProof");
    assertReverts(() -> client.claim(distributor, wallet(0), open("1"), List.of()), "InvalidProof");
    assertReverts(
        () -> client.claim(distributor, wallet(7), open("1"), t.proof(wallet(0))), "InvalidProof");
    List<Hash> proof = t.proof(wallet(0));
    List<Hash> truncated = proof.subList(0, proof.size() - 1);
    assertReverts(() -> client.claim(distributor, wallet(0), open("1"), truncated), "InvalidProof");
    List<Hash> extended = new ArrayList<>(proof);
    extended.add(t.root());
    assertReverts(() -> client.claim(distributor, wallet(0), open("1"), extended), "InvalidProof");
    List<Hash> reversed = new ArrayList<>(proof);
    java.util.Collections.reverse(reversed);
    assertReverts(() -> client.claim(distributor, wallet(0), open("1"), reversed), "InvalidProof");
    assertThat(client.balanceOf(contracts.token(), wallet(0))).isZero();
  }

  @Test
  void theOnlyAccountOfATreeClaimsWithAnEmptyProof() {
    Address distributor = contracts.distributor();
    RewardsTree t = tree(Map.of(wallet(0), open("3")));
    assertThat(t.proof(wallet(0))).isEmpty();
    client.submitEpoch(distributor, 1, t.root(), signEpoch(withPowers(40, 30), 1, t.root()));
    client.claim(distributor, t, wallet(0));
    assertThat(client.balanceOf(contracts.token(), wallet(0))).isEqualTo(open("3"));
  }

  @Test
  void aSecondClaimOfTheSameCumulativeAmountPaysNothing() {
    Address distributor = contracts.distributor();
    RewardsTree t = tree(Map.of(wallet(0), open("4"), wallet(1), open("8")));
    client.submitEpoch(distributor, 1, t.root(), signEpoch(withPowers(40, 30), 1, t.root()));
    client.claim(distributor, t, wallet(0));
    assertReverts(() -> client.claim(distributor, t, wallet(0)), "NothingToClaim");

    // Mined anyway: it fails on chain and the balance stays.
    String again = client.claimCallData(distributor, wallet(0), open("4"), t.proof(wallet(0)));
    TransactionReceipt mined =
        client.sendUnchecked(distributor, again, BigInteger.valueOf(300_000));
    assertThat(mined.isStatusOK()).isFalse();
    assertThat(client.balanceOf(contracts.token(), wallet(0))).isEqualTo(open("4"));
    assertThat(client.claimed(distributor, wallet(0))).isEqualTo(open("4"));
  }

  @Test
  void aTokenThatRefusesTheTransferWithoutRevertingFailsTheClaimAndRecordsNothing()
      throws Exception {
    for (String refusing : List.of("FalseReturningToken", "SilentToken")) {
      Address token = client.deployBytecode(ReferenceContracts.bytecode(refusing));
      Address distributor = client.deployDistributor(token, validatorsA);
      RewardsTree t = tree(Map.of(wallet(0), open("2"), wallet(1), open("1")));
      List<byte[]> signatures =
          ValidatorSignatures.signAll(
              withPowers(40, 30), client.epochRootDigest(distributor, 1, t.root()));
      client.submitEpoch(distributor, 1, t.root(), signatures);
      assertThatThrownBy(() -> client.claim(distributor, t, wallet(0)))
          .as(refusing)
          .isInstanceOfSatisfying(
              ContractRevertedException.class,
              e -> assertThat(e.errorName()).isEqualTo("TransferFailed"));

      // Mined anyway: it fails on chain and records no payment.
      String data = client.claimCallData(distributor, wallet(0), open("2"), t.proof(wallet(0)));
      TransactionReceipt mined =
          client.sendUnchecked(distributor, data, BigInteger.valueOf(300_000));
      assertThat(mined.isStatusOK()).as(refusing).isFalse();
      assertThat(client.claimed(distributor, wallet(0))).as(refusing).isZero();
    }
  }

  @Test
  void aClaimBeyondThePoolRevertsWithTheTokensErrorAndRecordsNothing() {
    Address distributor = contracts.distributor();
    BigInteger beyond = POOL.add(BigInteger.ONE);
    RewardsTree t = tree(Map.of(wallet(0), beyond, wallet(1), open("1")));
    client.submitEpoch(distributor, 1, t.root(), signEpoch(withPowers(40, 30), 1, t.root()));
    // The token's revert comes out of the distributor unchanged, so the client names it.
    assertReverts(() -> client.claim(distributor, t, wallet(0)), "ERC20InsufficientBalance");

    String data = client.claimCallData(distributor, wallet(0), beyond, t.proof(wallet(0)));
    TransactionReceipt mined = client.sendUnchecked(distributor, data, BigInteger.valueOf(300_000));
    assertThat(mined.isStatusOK()).isFalse();
    assertThat(client.claimed(distributor, wallet(0))).isZero();
    assertThat(client.balanceOf(contracts.token(), wallet(0))).isZero();
    assertThat(client.balanceOf(contracts.token(), distributor)).isEqualTo(POOL);
  }
}
