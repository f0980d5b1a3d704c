package io.ascribe.node.mempool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.exec.StateReader;
import io.ascribe.ledger.exec.TxRejectedException;
import io.ascribe.ledger.state.SystemState;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MempoolTest {
  private static final long CHAIN = 7;
  private static final BigInteger FEE = BigInteger.valueOf(1000);
  private static final BigInteger OPEN = Amount.ONE_OPEN;

  private final Map<Address, AccountState> accounts = new HashMap<>();
  private final StateReader state =
      new StateReader() {
        @Override
        public AccountState account(Address address) {
          return accounts.getOrDefault(address, AccountState.EMPTY);
        }

        @Override
        public SystemState system() {
          throw new UnsupportedOperationException("the mempool does not read the protocol record");
        }
      };
  private final MutableClock clock = new MutableClock();
  private final Mempool mempool =
      new Mempool(CHAIN, FEE, new MempoolLimits(5, 3, 4, 10, Duration.ofMinutes(1)), clock);
  private final PrivateKey alice = key(1);
  private final PrivateKey bob = key(2);
  private final Address carol = key(3).address();

  MempoolTest() {
    accounts.put(alice.address(), AccountState.EMPTY.withBalance(OPEN.multiply(BigInteger.TEN)));
    accounts.put(bob.address(), AccountState.EMPTY.withBalance(OPEN.multiply(BigInteger.TEN)));
  }

  private static PrivateKey key(int n) {
    byte[] raw = new byte[32];
    raw[0] = 0x22;
    raw[31] = (byte) n;
    return PrivateKey.fromBytes(raw);
  }

  private SignedTransaction tx(PrivateKey from, long nonce, BigInteger fee, BigInteger amount) {
    return SignedTransaction.sign(TxBodies.transfer(CHAIN, nonce, fee, carol, amount), from);
  }

  private Mempool.Admission add(SignedTransaction tx) {
    return mempool.add(tx, tx.sender(), state);
  }

  @Test
  void holdsNonceGapsUntilTheyFill() {
    add(tx(alice, 1, FEE, OPEN));
    assertThat(mempool.candidates(10, state)).isEmpty();
    SignedTransaction first = tx(alice, 0, FEE, OPEN);
    add(first);
    assertThat(mempool.candidates(10, state))
        .extracting(t -> t.body().getNonce())
        .containsExactly(0L, 1L);
  }

  @Test
  void ordersByFeeAcrossSendersAndByNonceWithin() {
    add(tx(alice, 0, FEE, OPEN));
    add(tx(alice, 1, FEE.multiply(BigInteger.valueOf(9)), OPEN));
    add(tx(bob, 0, FEE.multiply(BigInteger.TWO), OPEN));
    List<SignedTransaction> order = mempool.candidates(10, state);
    assertThat(order)
        .extracting(SignedTransaction::sender)
        .containsExactly(bob.address(), alice.address(), alice.address());
    assertThat(mempool.candidates(2, state)).hasSize(2);
  }

  @Test
  void rejectsWhatCanNeverBeIncluded() {
    accounts.put(alice.address(), accounts.get(alice.address()).withNonce(3));
    assertThatThrownBy(() -> add(tx(alice, 2, FEE, OPEN)))
        .isInstanceOf(TxRejectedException.class)
        .hasMessageContaining("already used");
    assertThatThrownBy(() -> add(tx(alice, 8, FEE, OPEN))).hasMessageContaining("too far ahead");
    assertThatThrownBy(() -> add(tx(alice, 3, FEE.subtract(BigInteger.ONE), OPEN)))
        .hasMessageContaining("below the minimum fee");
    assertThatThrownBy(
            () ->
                add(
                    SignedTransaction.sign(
                        TxBodies.transfer(CHAIN + 1, 3, FEE, carol, OPEN), alice)))
        .hasMessageContaining("wrong chain id");
    assertThatThrownBy(() -> add(tx(alice, 3, FEE, OPEN.multiply(BigInteger.valueOf(11)))))
        .hasMessageContaining("insufficient balance");
    // Larger than any block may carry (and than a gossip frame): refused before it is held.
    SignedTransaction huge =
        SignedTransaction.sign(
            TxBodies.registerModel(
                CHAIN,
                3,
                FEE,
                io.ascribe.core.types.Hash.ZERO,
                io.ascribe.core.types.Hash.ZERO,
                "llama",
                "x".repeat(io.ascribe.core.block.BlockLimits.MAX_TX_BYTES)),
            alice);
    assertThatThrownBy(() -> add(huge))
        .hasMessageContaining("over the 1048576-byte limit a block can carry");
    assertThat(mempool.size()).isZero();
  }

  @Test
  void countsAChallengesBondAgainstTheBalance() {
    SignedTransaction challenge =
        SignedTransaction.sign(
            TxBodies.challengeReceipt(
                CHAIN,
                0,
                FEE,
                Hash.ZERO,
                0,
                List.of(),
                Hash.ZERO,
                OPEN.multiply(BigInteger.valueOf(11))),
            alice);
    assertThatThrownBy(() -> add(challenge)).hasMessageContaining("insufficient balance");
  }

  @Test
  void countsEarlierPendingSpendsAgainstTheBalance() {
    add(tx(alice, 0, FEE, OPEN.multiply(BigInteger.valueOf(6))));
    assertThatThrownBy(() -> add(tx(alice, 1, FEE, OPEN.multiply(BigInteger.valueOf(4)))))
        .hasMessageContaining("insufficient balance");
  }

  @Test
  void replacesOnlyWithAHigherFee() {
    SignedTransaction original = tx(alice, 0, FEE, OPEN);
    add(original);
    assertThatThrownBy(() -> add(tx(alice, 0, FEE.add(BigInteger.ONE), OPEN.add(BigInteger.ONE))))
        .hasMessageContaining("replacement must offer at least");
    assertThatThrownBy(() -> add(original)).hasMessageContaining("already pending");
    SignedTransaction better = tx(alice, 0, FEE.multiply(BigInteger.TWO), OPEN);
    assertThat(add(better)).isEqualTo(Mempool.Admission.REPLACED);
    assertThat(mempool.candidates(10, state)).containsExactly(better);
    assertThat(mempool.contains(original.hash())).isFalse();
  }

  @Test
  void enforcesPerSenderAndTotalLimits() {
    add(tx(alice, 0, FEE, OPEN));
    add(tx(alice, 1, FEE, OPEN));
    add(tx(alice, 2, FEE, OPEN));
    assertThatThrownBy(() -> add(tx(alice, 3, FEE, OPEN))).hasMessageContaining("the limit");
    add(tx(bob, 0, FEE, OPEN));
    add(tx(bob, 1, FEE, OPEN));
    assertThatThrownBy(() -> add(tx(bob, 2, FEE, OPEN))).hasMessageContaining("mempool is full");
    assertThat(add(tx(bob, 2, FEE.multiply(BigInteger.TEN), OPEN)))
        .isEqualTo(Mempool.Admission.ADDED);
    assertThat(mempool.size()).isEqualTo(5);
  }

  @Test
  void forgetsCommittedAndStaleTransactions() {
    add(tx(alice, 0, FEE, OPEN));
    add(tx(alice, 1, FEE, OPEN));
    add(tx(bob, 0, FEE, OPEN));
    accounts.put(alice.address(), accounts.get(alice.address()).withNonce(1));
    mempool.update(List.of(alice.address()), List.of(), state);
    assertThat(mempool.size()).isEqualTo(2);
    clock.advance(Duration.ofMinutes(2));
    mempool.update(List.of(), List.of(), state);
    assertThat(mempool.size()).isZero();
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
