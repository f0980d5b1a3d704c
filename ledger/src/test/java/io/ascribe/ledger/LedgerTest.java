package io.ascribe.ledger;

import static io.ascribe.ledger.LedgerFixture.CHAIN_ID;
import static io.ascribe.ledger.LedgerFixture.MIN_FEE;
import static io.ascribe.ledger.LedgerFixture.MIN_STAKE;
import static io.ascribe.ledger.LedgerFixture.USERS;
import static io.ascribe.ledger.LedgerFixture.VALIDATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.state.AnchoredProof;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.InvalidBlockException;
import io.ascribe.ledger.exec.TxReceipt;
import io.ascribe.ledger.store.StoreException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
  private static final BigInteger OPEN = Amount.ONE_OPEN;

  @TempDir Path dir;
  private Ledger ledger;
  private long time = 1_800_000_000_000L;

  @BeforeEach
  void open() {
    ledger = Ledger.open(dir, LedgerFixture.genesis());
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private SignedTransaction transfer(PrivateKey from, long nonce, Address to, BigInteger amount) {
    return SignedTransaction.sign(TxBodies.transfer(CHAIN_ID, nonce, MIN_FEE, to, amount), from);
  }

  private ExecutedBlock commit(SignedTransaction... txs) {
    ExecutedBlock block = ledger.propose(List.of(txs), time += 1000, VALIDATOR.address());
    ledger.commit(block, Commit.newBuilder().setHeight(block.height()).build());
    return block;
  }

  private BigInteger totalHeld() {
    BigInteger total = BigInteger.ZERO;
    for (PrivateKey key : Stream.concat(USERS.stream(), Stream.of(VALIDATOR)).toList()) {
      AccountState s = ledger.account(key.address());
      total = total.add(s.balance()).add(s.stake()).add(s.unbonding());
    }
    return total.add(ledger.system().bonded()).add(ledger.system().rewards());
  }

  /** A transaction of about {@code bytes} bytes (a licence string far over its limit). */
  private SignedTransaction sized(PrivateKey from, long nonce, int bytes) {
    return SignedTransaction.sign(
        TxBodies.registerModel(
            CHAIN_ID, nonce, MIN_FEE, Hash.ZERO, Hash.ZERO, "llama", "x".repeat(bytes)),
        from);
  }

  @Test
  void aBlockCarriesAtMostItsByteBudgetAndTheRestWaitsInOrder() {
    PrivateKey sender = USERS.get(0);
    List<SignedTransaction> txs = new java.util.ArrayList<>();
    for (int nonce = 0; nonce < 4; nonce++) {
      txs.add(sized(sender, nonce, 900 * 1024));
    }
    ExecutedBlock block = ledger.propose(txs, time += 1000, VALIDATOR.address());
    assertThat(block.block().getTxsCount())
        .as("three of 900 KiB fit under 3 MiB, the fourth waits")
        .isEqualTo(3);
    assertThat(block.rejected()).isEmpty();

    SignedTransaction tooBig =
        sized(USERS.get(1), 0, io.ascribe.core.block.BlockLimits.MAX_TX_BYTES);
    assertThat(ledger.propose(List.of(tooBig), time += 1000, VALIDATOR.address()).rejected())
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("over the 1048576-byte limit"));

    // A proposer that packs more is refused by every validator that re-executes its block.
    var packed = block.block().toBuilder().addTxs(txs.get(3).envelope()).build();
    assertThatThrownBy(() -> ledger.verify(packed))
        .isInstanceOf(InvalidBlockException.class)
        .hasMessageContaining("more than 3145728 bytes of transactions");
  }

  @Test
  void transferMovesFundsAndSplitsTheFee() {
    Address alice = USERS.get(0).address();
    Address bob = USERS.get(1).address();
    BigInteger aliceBefore = ledger.account(alice).balance();
    BigInteger bobBefore = ledger.account(bob).balance();
    BigInteger validatorBefore = ledger.account(VALIDATOR.address()).balance();
    BigInteger supplyBefore = ledger.system().totalSupply();

    ExecutedBlock block =
        commit(transfer(USERS.get(0), 0, bob, OPEN.multiply(BigInteger.valueOf(5))));

    assertThat(block.receipts()).singleElement().satisfies(r -> assertThat(r.success()).isTrue());
    assertThat(ledger.account(alice).balance())
        .isEqualTo(aliceBefore.subtract(OPEN.multiply(BigInteger.valueOf(5))).subtract(MIN_FEE));
    assertThat(ledger.account(alice).nonce()).isEqualTo(1);
    assertThat(ledger.account(bob).balance())
        .isEqualTo(bobBefore.add(OPEN.multiply(BigInteger.valueOf(5))));
    BigInteger burn = MIN_FEE.divide(BigInteger.valueOf(5));
    // The validators' share is credited as a reward claimable on the EVM chain, not as balance.
    assertThat(ledger.account(VALIDATOR.address()).balance()).isEqualTo(validatorBefore);
    assertThat(ledger.rewards(VALIDATOR.address())).isEqualTo(MIN_FEE.subtract(burn));
    assertThat(ledger.system().rewards()).isEqualTo(MIN_FEE.subtract(burn));
    assertThat(ledger.system().burned()).isEqualTo(burn);
    assertThat(ledger.system().totalSupply()).isEqualTo(supplyBefore.subtract(burn));
    assertThat(totalHeld()).isEqualTo(ledger.system().totalSupply());
    assertThat(ledger.receipt(block.receipts().get(0).txHash())).contains(block.receipts().get(0));
  }

  @Test
  void transactionsThatCannotPayOrAreOutOfOrderAreLeftOut() {
    Address bob = USERS.get(1).address();
    SignedTransaction wrongChain =
        SignedTransaction.sign(
            TxBodies.transfer(CHAIN_ID + 1, 0, MIN_FEE, bob, OPEN), USERS.get(0));
    SignedTransaction futureNonce = transfer(USERS.get(0), 5, bob, OPEN);
    SignedTransaction cheap =
        SignedTransaction.sign(
            TxBodies.transfer(CHAIN_ID, 0, MIN_FEE.subtract(BigInteger.ONE), bob, OPEN),
            USERS.get(2));
    PrivateKey pauper = LedgerFixture.key(99);
    SignedTransaction broke = transfer(pauper, 0, bob, BigInteger.ONE);
    Hash rootBefore =
        ledger.headHeader().getStateRoot().isEmpty()
            ? null
            : Hash.copyOf(ledger.headHeader().getStateRoot().toByteArray());

    ExecutedBlock block =
        ledger.propose(
            List.of(wrongChain, futureNonce, cheap, broke), time += 1000, VALIDATOR.address());

    assertThat(block.receipts()).isEmpty();
    assertThat(block.rejected())
        .extracting(ExecutedBlock.Rejected::reason)
        .satisfiesExactly(
            r -> assertThat(r).contains("wrong chain id"),
            r -> assertThat(r).contains("nonce 5 is not the sender's next nonce 0"),
            r -> assertThat(r).contains("below the minimum fee"),
            r -> assertThat(r).contains("cannot pay the fee"));
    assertThat(ledger.headHeader().getStateRoot())
        .isEqualTo(ByteString.copyFrom(rootBefore.toArray()));
  }

  @Test
  void transferOverTheBalanceFailsButPaysItsFee() {
    Address alice = USERS.get(0).address();
    BigInteger before = ledger.account(alice).balance();
    ExecutedBlock block = commit(transfer(USERS.get(0), 0, USERS.get(1).address(), before));
    TxReceipt receipt = block.receipts().get(0);
    assertThat(receipt.success()).isFalse();
    assertThat(receipt.error()).contains("exceeds the balance");
    assertThat(ledger.account(alice).balance()).isEqualTo(before.subtract(MIN_FEE));
    assertThat(ledger.account(alice).nonce()).isEqualTo(1);
  }

  @Test
  void stakeJoinsAndUnstakeLeavesTheValidatorSetAfterTheDelay() {
    PrivateKey carol = USERS.get(2);
    BigInteger bond = MIN_STAKE.multiply(BigInteger.TWO);
    ExecutedBlock staked =
        commit(SignedTransaction.sign(TxBodies.stake(CHAIN_ID, 0, MIN_FEE, bond), carol));
    assertThat(staked.receipts().get(0).success()).isTrue();
    assertThat(ledger.account(carol.address()).stake()).isEqualTo(bond);
    assertThat(ledger.system().validators().find(carol.address())).isEmpty();
    commit();
    assertThat(ledger.system().validators().find(carol.address())).isEmpty();
    ExecutedBlock joined = commit();
    assertThat(ledger.system().validators().find(carol.address()))
        .hasValueSatisfying(v -> assertThat(v.power()).isEqualTo(bond));
    assertThat(joined.block().getHeader().getValidatorsHash().toByteArray())
        .isEqualTo(ledger.system().validators().hash().toArray());

    BigInteger balanceBefore = ledger.account(carol.address()).balance();
    ExecutedBlock unstaked =
        commit(SignedTransaction.sign(TxBodies.unstake(CHAIN_ID, 1, MIN_FEE, bond), carol));
    assertThat(ledger.account(carol.address()).unbonding()).isEqualTo(bond);
    assertThat(ledger.system().validators().find(carol.address())).isPresent();
    commit();
    commit();
    // Out of the set after the delay, but the stake stays unbonding (UnbondingLedgerTest follows
    // it to its release, unbondingBlocks later).
    assertThat(ledger.system().validators().find(carol.address())).isEmpty();
    assertThat(ledger.account(carol.address()).unbonding()).isEqualTo(bond);
    assertThat(ledger.account(carol.address()).unbondingHeight())
        .isEqualTo(unstaked.height() + 2 + ledger.genesis().params().unbondingBlocks());
    assertThat(ledger.account(carol.address()).balance())
        .isEqualTo(balanceBefore.subtract(MIN_FEE));
    assertThat(totalHeld()).isEqualTo(ledger.system().totalSupply());
  }

  @Test
  void theLastValidatorCannotUnstakeEverything() {
    BigInteger all = ledger.account(VALIDATOR.address()).stake();
    ExecutedBlock block =
        commit(SignedTransaction.sign(TxBodies.unstake(CHAIN_ID, 0, MIN_FEE, all), VALIDATOR));
    assertThat(block.receipts().get(0).error()).contains("without validators");
    assertThat(ledger.account(VALIDATOR.address()).stake()).isEqualTo(all);
  }

  @Test
  void proofsVerifyAgainstTheHeadersStateRoot() {
    commit(transfer(USERS.get(0), 0, USERS.get(1).address(), OPEN));
    Hash root = Hash.copyOf(ledger.headHeader().getStateRoot().toByteArray());
    AnchoredProof present = ledger.proof(USERS.get(0).address());
    assertThat(present.stateRoot()).isEqualTo(root);
    assertThat(present.proof().account()).contains(ledger.account(USERS.get(0).address()));
    assertThat(present.proof().verify(root)).isTrue();
    AnchoredProof absent = ledger.proof(LedgerFixture.key(77).address());
    assertThat(absent.proof().account()).isEmpty();
    assertThat(absent.proof().verify(root)).isTrue();
  }

  @Test
  void restartResumesAtTheSameHeightAndRoot() {
    commit(transfer(USERS.get(0), 0, USERS.get(1).address(), OPEN));
    commit(transfer(USERS.get(0), 1, USERS.get(2).address(), OPEN));
    long height = ledger.height();
    Hash head = ledger.headHash();
    AccountState alice = ledger.account(USERS.get(0).address());
    ledger.close();

    ledger = Ledger.open(dir, LedgerFixture.genesis());

    assertThat(ledger.height()).isEqualTo(height);
    assertThat(ledger.headHash()).isEqualTo(head);
    assertThat(ledger.account(USERS.get(0).address())).isEqualTo(alice);
    commit(transfer(USERS.get(0), 2, USERS.get(1).address(), OPEN));
    assertThat(ledger.height()).isEqualTo(height + 1);
  }

  @Test
  void aValidatorReexecutesAProposedBlockAndRefusesATamperedOne() throws IOException {
    ExecutedBlock proposed =
        ledger.propose(
            List.of(transfer(USERS.get(0), 0, USERS.get(1).address(), OPEN)),
            time += 1000,
            VALIDATOR.address());
    assertThat(ledger.verify(proposed.block()).hash()).isEqualTo(proposed.hash());
    var tampered = proposed.block().toBuilder();
    tampered.getHeaderBuilder().setStateRoot(ByteString.copyFrom(new byte[32]));
    assertThatThrownBy(() -> ledger.verify(tampered.build()))
        .isInstanceOf(InvalidBlockException.class)
        .hasMessageContaining("does not match its execution");
  }

  @Test
  void anotherGenesisOnTheSameDirectoryIsRefused() {
    ledger.close();
    assertThatThrownBy(() -> Ledger.open(dir, LedgerFixture.genesis(CHAIN_ID + 1)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("holds another chain");
    ledger = Ledger.open(dir, LedgerFixture.genesis());
  }

  @Test
  void aSecondNodeOnTheSameDirectoryIsRefused() {
    assertThatThrownBy(() -> Ledger.open(dir, LedgerFixture.genesis()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("in use by another ascribe node");
    assertThat(ledger.height()).isZero();
  }

  @Test
  void aCorruptedDirectoryIsRefused() throws IOException {
    commit(transfer(USERS.get(0), 0, USERS.get(1).address(), OPEN));
    ledger.close();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file :
          files
              .filter(f -> f.getFileName().toString().matches("(MANIFEST-.*|.*\\.sst|.*\\.log)"))
              .toList()) {
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 0; i < bytes.length; i += 7) {
          bytes[i] ^= 0x5a;
        }
        Files.write(file, bytes);
      }
    }
    assertThatThrownBy(() -> Ledger.open(dir, LedgerFixture.genesis()))
        .isInstanceOf(StoreException.class)
        .hasMessageMatching("(?s).*(corrupt|inconsistent|holds another chain).*");
    ledger = Ledger.open(Files.createDirectories(dir.resolve("fresh")), LedgerFixture.genesis());
  }

  @Test
  void signatureOverAnotherBodyDoesNotAuthoriseTheSender() {
    SignedTransaction original = transfer(USERS.get(0), 0, USERS.get(1).address(), OPEN);
    TxBody forged =
        TxBodies.transfer(
            CHAIN_ID, 0, MIN_FEE, USERS.get(2).address(), OPEN.multiply(BigInteger.TEN));
    var envelope = original.envelope().toBuilder().setBody(forged.toByteString()).build();
    SignedTransaction replay = SignedTransaction.decode(envelope);
    Address claimed;
    try {
      claimed = replay.sender();
    } catch (IllegalArgumentException e) {
      claimed = null;
    }
    assertThat(claimed).isNotEqualTo(USERS.get(0).address());
  }
}
