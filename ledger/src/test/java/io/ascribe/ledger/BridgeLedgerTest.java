package io.ascribe.ledger;

import static io.ascribe.ledger.LedgerFixture.CHAIN_ID;
import static io.ascribe.ledger.LedgerFixture.FUNDS;
import static io.ascribe.ledger.LedgerFixture.MIN_FEE;
import static io.ascribe.ledger.LedgerFixture.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.ai.DepositAttestations;
import io.ascribe.ledger.ai.EvmDeposit;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.TxReceipt;
import io.ascribe.ledger.state.SystemState;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deposits from the EVM chain (validators attest, more than 2/3 of the voting power credits, once)
 * and withdrawals to it, through the ledger's public API on real blocks.
 */
class BridgeLedgerTest {
  private static final BigInteger OPEN = Amount.ONE_OPEN;
  private static final long EVM_CHAIN_ID = 31337;
  private static final Address BRIDGE =
      Address.fromHex("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0");

  // Voting power 200,000 + 99,000 + 1,000: BIG alone holds exactly 2/3 (not enough), BIG and
  // SMALL together just above it.
  private static final PrivateKey BIG = LedgerFixture.key(11);
  private static final PrivateKey MIDDLE = LedgerFixture.key(12);
  private static final PrivateKey SMALL = LedgerFixture.key(13);
  private static final List<PrivateKey> VALIDATORS = List.of(BIG, MIDDLE, SMALL);

  private static final Address DEPOSITOR =
      Address.fromHex("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  private static final Address RECIPIENT = LedgerFixture.key(20).address();

  @TempDir Path dir;
  private Ledger ledger;
  private long time = 1_800_000_000_000L;
  private final Map<Address, Long> nonces = new HashMap<>();
  private BigInteger genesisSupply;

  @BeforeEach
  void open() {
    ledger = Ledger.open(dir, bridged());
    genesisSupply = ledger.system().totalSupply();
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private static Genesis bridged() {
    List<Genesis.Allocation> allocations = new ArrayList<>();
    for (PrivateKey key : Stream.concat(VALIDATORS.stream(), USERS.stream()).toList()) {
      allocations.add(new Genesis.Allocation(key.address(), FUNDS));
    }
    return new Genesis(
        CHAIN_ID,
        Instant.parse("2026-01-01T00:00:00Z"),
        List.of(
            new Genesis.GenesisValidator(BIG.address(), open(200_000)),
            new Genesis.GenesisValidator(MIDDLE.address(), open(99_000)),
            new Genesis.GenesisValidator(SMALL.address(), open(1_000))),
        allocations,
        LedgerFixture.genesis().params(),
        Optional.empty(),
        java.util.Optional.of(new Genesis.Bridge(EVM_CHAIN_ID, BRIDGE, 12)));
  }

  private static BigInteger open(long whole) {
    return OPEN.multiply(BigInteger.valueOf(whole));
  }

  /**
   * Deposit {@code number} of {@code amount} OPEN for {@link #RECIPIENT}, as OpenBridge emits it.
   */
  private static EvmDeposit deposit(long number, long amount) {
    return deposit(number, EVM_CHAIN_ID, BRIDGE, RECIPIENT, open(amount));
  }

  /** Deposit {@code number} with these fields, and the transaction and block of the honest one. */
  private static EvmDeposit deposit(
      long number, long evmChainId, Address bridge, Address recipient, BigInteger amount) {
    return new EvmDeposit(
        evmChainId,
        bridge,
        number,
        DEPOSITOR,
        recipient,
        amount,
        hash("tx " + number),
        hash("block " + number));
  }

  private static Hash hash(String text) {
    return Keccak.hash(text.getBytes(StandardCharsets.UTF_8));
  }

  private SignedTransaction attest(PrivateKey validator, EvmDeposit deposit) {
    long nonce = nonces.merge(validator.address(), 1L, Long::sum) - 1;
    return SignedTransaction.sign(
        TxBodies.attestDeposit(CHAIN_ID, nonce, MIN_FEE, deposit.toProto()), validator);
  }

  private List<TxReceipt> commit(SignedTransaction... txs) {
    ExecutedBlock block = ledger.propose(List.of(txs), time += 1000, BIG.address());
    assertThat(block.rejected()).isEmpty();
    ledger.commit(block, Commit.newBuilder().setHeight(block.height()).build());
    return block.receipts();
  }

  private TxReceipt run(SignedTransaction tx) {
    return commit(tx).get(0);
  }

  private void succeeds(SignedTransaction tx) {
    assertThat(run(tx).error()).isEmpty();
  }

  private BigInteger balance(Address account) {
    return ledger.account(account).balance();
  }

  /**
   * Balances + stakes + unbonding + bonds + credited rewards = total supply = genesis supply +
   * deposits credited − burned.
   */
  private void assertSupplyInvariant() {
    BigInteger held = BigInteger.ZERO;
    List<Address> accounts = new ArrayList<>(List.of(RECIPIENT));
    Stream.concat(VALIDATORS.stream(), USERS.stream()).forEach(k -> accounts.add(k.address()));
    for (Address account : accounts) {
      AccountState s = ledger.account(account);
      held = held.add(s.balance()).add(s.stake()).add(s.unbonding());
    }
    SystemState system = ledger.system();
    BigInteger credited =
        ledger.rewards().values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    assertThat(system.rewards()).isEqualTo(credited);
    assertThat(held.add(system.bonded()).add(system.rewards())).isEqualTo(system.totalSupply());
    assertThat(system.totalSupply())
        .isEqualTo(genesisSupply.add(system.bridge().deposited()).subtract(system.burned()));
  }

  @Test
  void exactlyTwoThirdsOfThePowerIsNotEnoughJustAboveCreditsOnce() {
    EvmDeposit deposit = deposit(0, 5);
    succeeds(attest(BIG, deposit));
    // BIG holds 200,000 of 300,000: exactly 2/3, not more.
    assertThat(balance(RECIPIENT)).isZero();
    assertThat(ledger.deposit(0))
        .hasValueSatisfying(
            d -> {
              assertThat(d.credited()).isFalse();
              assertThat(d.attesters(deposit)).containsExactly(BIG.address());
            });
    assertThat(ledger.system().bridge().nextDeposit()).isZero();
    assertSupplyInvariant();

    BigInteger supply = ledger.system().totalSupply();
    TxReceipt credit = run(attest(SMALL, deposit));
    assertThat(credit.error()).isEmpty();
    assertThat(balance(RECIPIENT)).isEqualTo(open(5));
    assertThat(ledger.deposit(0))
        .hasValueSatisfying(
            d -> {
              assertThat(d.creditedHeight()).isEqualTo(credit.height());
              assertThat(d.creditedContent()).contains(deposit);
            });
    SystemState system = ledger.system();
    assertThat(system.bridge().deposited()).isEqualTo(open(5));
    assertThat(system.bridge().nextDeposit()).isOne();
    // Minted: the supply grows by the deposit, less the burned share of this transaction's fee.
    assertThat(system.totalSupply()).isEqualTo(supply.add(open(5)).subtract(burnOf(MIN_FEE)));
    assertSupplyInvariant();

    TxReceipt late = run(attest(MIDDLE, deposit));
    assertThat(late.success()).isFalse();
    assertThat(late.error()).isEqualTo("deposit 0 was already credited (every deposit below 1 is)");
    assertThat(balance(RECIPIENT)).isEqualTo(open(5));
    assertThat(ledger.system().bridge().deposited()).isEqualTo(open(5));
    assertSupplyInvariant();
  }

  @Test
  void aConflictingContentIsCountedApartFromTheHonestOne() {
    EvmDeposit honest = deposit(0, 5);
    EvmDeposit forged = deposit(0, EVM_CHAIN_ID, BRIDGE, USERS.get(0).address(), open(5_000));
    succeeds(attest(MIDDLE, forged));
    succeeds(attest(SMALL, forged));
    succeeds(attest(BIG, honest));
    // 100,000 for the forged content, 200,000 for the honest one: neither is above 2/3, and the
    // forged votes are not added to the honest ones (which would make 300,000).
    assertThat(balance(RECIPIENT)).isZero();
    assertThat(balance(USERS.get(0).address())).isEqualTo(FUNDS);
    assertThat(ledger.deposit(0).orElseThrow().claims())
        .extracting(DepositAttestations.Claim::content)
        .containsExactly(forged, honest);

    TxReceipt change = run(attest(SMALL, honest));
    assertThat(change.success()).isFalse();
    assertThat(change.error())
        .isEqualTo(
            "validator "
                + SMALL.address()
                + " already attested deposit 0 with other content; an attestation cannot be"
                + " changed");
    assertThat(ledger.deposit(0).orElseThrow().attesters(honest)).containsExactly(BIG.address());
    assertThat(balance(RECIPIENT)).isZero();
    assertSupplyInvariant();
  }

  @Test
  void aValidatorAttestingTwiceIsCountedOnce() {
    EvmDeposit deposit = deposit(0, 5);
    succeeds(attest(MIDDLE, deposit));
    TxReceipt again = run(attest(MIDDLE, deposit));
    assertThat(again.success()).isTrue();
    assertThat(ledger.deposit(0).orElseThrow().attesters(deposit))
        .containsExactly(MIDDLE.address());
    succeeds(attest(SMALL, deposit));
    // 100,000 of 300,000, however often MIDDLE says so.
    assertThat(balance(RECIPIENT)).isZero();
    assertSupplyInvariant();
  }

  @Test
  void twoAttestationsInOneBlockCreditOnce() {
    EvmDeposit deposit = deposit(0, 7);
    List<TxReceipt> receipts =
        commit(attest(BIG, deposit), attest(SMALL, deposit), attest(MIDDLE, deposit));
    assertThat(receipts.get(0).error()).isEmpty();
    assertThat(receipts.get(1).error()).isEmpty();
    assertThat(receipts.get(2).error()).contains("already credited");
    assertThat(balance(RECIPIENT)).isEqualTo(open(7));
    assertSupplyInvariant();
  }

  @Test
  void aNonValidatorCannotAttest() {
    PrivateKey user = USERS.get(1);
    TxReceipt receipt = run(attest(user, deposit(0, 5)));
    assertThat(receipt.success()).isFalse();
    assertThat(receipt.error())
        .isEqualTo(
            "only validators attest deposits: " + user.address() + " is not in the validator set");
    // The fee is paid, nothing else changes.
    assertThat(balance(user.address())).isEqualTo(FUNDS.subtract(MIN_FEE));
    assertThat(ledger.deposit(0)).isEmpty();
    assertSupplyInvariant();
  }

  @Test
  void onlyTheGenesisBridgeOnItsEvmChainIsCredited() {
    EvmDeposit honest = deposit(0, 5);
    EvmDeposit otherChain = deposit(0, 1, BRIDGE, RECIPIENT, open(5));
    EvmDeposit otherBridge = deposit(0, EVM_CHAIN_ID, USERS.get(2).address(), RECIPIENT, open(5));
    assertThat(run(attest(BIG, otherChain)).error())
        .isEqualTo(
            "the attestation is for bridge "
                + BRIDGE
                + " on EVM chain 1, but this chain credits only bridge "
                + BRIDGE
                + " on EVM chain 31337 (its genesis)");
    assertThat(run(attest(BIG, otherBridge)).error())
        .startsWith("the attestation is for bridge " + USERS.get(2).address() + " on EVM chain");
    assertThat(ledger.deposit(0)).isEmpty();
    succeeds(attest(BIG, honest));
    assertThat(ledger.deposit(0).orElseThrow().attesters(honest)).containsExactly(BIG.address());
    assertSupplyInvariant();
  }

  @Test
  void malformedDepositsAreRefused() {
    EvmDeposit honest = deposit(0, 5);
    EvmDeposit nothing = deposit(0, EVM_CHAIN_ID, BRIDGE, RECIPIENT, BigInteger.ZERO);
    assertThat(run(attest(BIG, nothing)).error())
        .isEqualTo("deposit 0 has no amount or no recipient: OpenBridge emits none");
    var truncated =
        honest.toProto().toBuilder()
            .setRecipient(com.google.protobuf.ByteString.copyFrom(new byte[19]))
            .build();
    long nonce = nonces.merge(BIG.address(), 1L, Long::sum) - 1;
    TxReceipt receipt =
        run(
            SignedTransaction.sign(
                TxBodies.attestDeposit(CHAIN_ID, nonce, MIN_FEE, truncated), BIG));
    assertThat(receipt.error())
        .isEqualTo("deposit recipient must be a 20-byte address, got 19 bytes");
    assertThat(ledger.deposit(0)).isEmpty();
  }

  @Test
  void depositsCreditedOutOfOrderMoveTheNextExpectedNumberPastAllOfThem() {
    credit(deposit(1, 2));
    assertThat(ledger.system().bridge().nextDeposit()).isZero();
    TxReceipt again = run(attest(MIDDLE, deposit(1, 2)));
    assertThat(again.error())
        .isEqualTo(
            "deposit 1 was already credited at height "
                + ledger.deposit(1).orElseThrow().creditedHeight());

    credit(deposit(0, 3));
    assertThat(ledger.system().bridge().nextDeposit()).isEqualTo(2);
    assertThat(balance(RECIPIENT)).isEqualTo(open(5));
    assertThat(ledger.system().bridge().deposited()).isEqualTo(open(5));
    assertThat(run(attest(MIDDLE, deposit(0, 3))).error())
        .isEqualTo("deposit 0 was already credited (every deposit below 2 is)");
    assertSupplyInvariant();
  }

  private void credit(EvmDeposit deposit) {
    List<TxReceipt> receipts = commit(attest(BIG, deposit), attest(SMALL, deposit));
    assertThat(receipts).extracting(TxReceipt::error).containsOnly("");
    assertThat(ledger.deposit(deposit.number()).orElseThrow().credited()).isTrue();
  }

  @Test
  void aChainWithoutABridgeRefusesAttestations(@TempDir Path other) {
    try (Ledger plain = Ledger.open(other, LedgerFixture.genesis())) {
      PrivateKey validator = LedgerFixture.VALIDATOR;
      SignedTransaction tx =
          SignedTransaction.sign(
              TxBodies.attestDeposit(CHAIN_ID, 0, MIN_FEE, deposit(0, 5).toProto()), validator);
      ExecutedBlock block = plain.propose(List.of(tx), time += 1000, validator.address());
      assertThat(block.receipts().get(0).error())
          .isEqualTo(
              "this chain has no bridge (its genesis has no bridge section), so it credits no"
                  + " deposits");
    }
  }

  @Test
  void attestationsAndTotalsSurviveAReopen() {
    EvmDeposit deposit = deposit(0, 5);
    succeeds(attest(BIG, deposit));
    credit(deposit(1, 4));
    SystemState before = ledger.system();
    ledger.close();
    // Reopening rebuilds the state tree from the stored objects and checks it against the root.
    ledger = Ledger.open(dir, bridged());
    assertThat(ledger.system()).isEqualTo(before);
    assertThat(ledger.deposit(0).orElseThrow().attesters(deposit)).containsExactly(BIG.address());
    assertThat(ledger.deposit(1).orElseThrow().credited()).isTrue();
    nonces.clear();
    nonces.put(BIG.address(), ledger.account(BIG.address()).nonce());
    nonces.put(SMALL.address(), ledger.account(SMALL.address()).nonce());
    succeeds(attest(SMALL, deposit));
    assertThat(balance(RECIPIENT)).isEqualTo(open(9));
    assertThat(ledger.system().bridge().nextDeposit()).isEqualTo(2);
    assertSupplyInvariant();
  }

  @Test
  void aWithdrawalMovesTheBalanceIntoClaimableRewards() {
    PrivateKey user = USERS.get(0);
    BigInteger supply = ledger.system().totalSupply();
    long nonce = 0;
    TxReceipt receipt =
        run(
            SignedTransaction.sign(
                TxBodies.withdrawToEvm(CHAIN_ID, nonce++, MIN_FEE, open(3)), user));
    assertThat(receipt.error()).isEmpty();
    assertThat(balance(user.address())).isEqualTo(FUNDS.subtract(open(3)).subtract(MIN_FEE));
    assertThat(ledger.rewards(user.address())).isEqualTo(open(3));
    assertThat(ledger.system().bridge().withdrawn()).isEqualTo(open(3));
    // Rewards are part of the supply until paid on the EVM side: only the fee's burn leaves it.
    assertThat(ledger.system().totalSupply()).isEqualTo(supply.subtract(burnOf(MIN_FEE)));
    assertSupplyInvariant();

    TxReceipt tooMuch =
        run(
            SignedTransaction.sign(
                TxBodies.withdrawToEvm(CHAIN_ID, nonce++, MIN_FEE, FUNDS), user));
    assertThat(tooMuch.error()).startsWith("amount 1000000 OPEN exceeds the balance");
    TxReceipt zero =
        run(
            SignedTransaction.sign(
                TxBodies.withdrawToEvm(CHAIN_ID, nonce, MIN_FEE, BigInteger.ZERO), user));
    assertThat(zero.error()).isEqualTo("withdrawal amount must be positive");
    assertThat(ledger.rewards(user.address())).isEqualTo(open(3));
    assertSupplyInvariant();
  }

  private static BigInteger burnOf(BigInteger fee) {
    int burnBps = LedgerFixture.genesis().params().feeSplit().burnBps();
    return fee.multiply(BigInteger.valueOf(burnBps)).divide(BigInteger.valueOf(10_000));
  }
}
