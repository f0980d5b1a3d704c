package io.ascribe.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.ProtocolParams;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A small chain for ledger tests: a validator and funded users with fixed keys. */
final class LedgerFixture {
  static final long CHAIN_ID = 4242;
  static final BigInteger MIN_FEE = BigInteger.TEN.pow(12);
  static final BigInteger MIN_STAKE = Amount.ONE_OPEN.multiply(BigInteger.valueOf(1000));
  static final BigInteger FUNDS = Amount.ONE_OPEN.multiply(BigInteger.valueOf(1_000_000));

  static final long EPOCH_LENGTH = 10;
  static final long BOND_LOCK = 5;

  static final PrivateKey VALIDATOR = key(1);
  static final List<PrivateKey> USERS = List.of(key(2), key(3), key(4));

  private LedgerFixture() {}

  /**
   * Balances + stakes + unbonding (of the fixture's accounts and {@code others}) + bonds + credited
   * rewards = total supply, and the credited rewards are the accounts' cumulative rewards.
   */
  static void assertSupplyInvariant(Ledger ledger, PrivateKey... others) {
    BigInteger held = BigInteger.ZERO;
    for (PrivateKey key :
        Stream.of(USERS.stream(), Stream.of(VALIDATOR), Stream.of(others))
            .flatMap(s -> s)
            .toList()) {
      AccountState s = ledger.account(key.address());
      held = held.add(s.balance()).add(s.stake()).add(s.unbonding());
    }
    BigInteger credited =
        ledger.rewards().values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    assertThat(ledger.system().rewards()).isEqualTo(credited);
    assertThat(held.add(ledger.system().bonded()).add(ledger.system().rewards()))
        .isEqualTo(ledger.system().totalSupply());
  }

  static PrivateKey key(int n) {
    byte[] raw = new byte[32];
    raw[31] = (byte) n;
    raw[0] = 0x11;
    return PrivateKey.fromBytes(raw);
  }

  static Genesis genesis() {
    return genesis(CHAIN_ID);
  }

  static Genesis genesis(long chainId) {
    List<Genesis.Allocation> allocations = new ArrayList<>();
    for (PrivateKey user : USERS) {
      allocations.add(new Genesis.Allocation(user.address(), FUNDS));
    }
    allocations.add(new Genesis.Allocation(VALIDATOR.address(), FUNDS));
    return new Genesis(
        chainId,
        Instant.parse("2026-01-01T00:00:00Z"),
        List.of(
            new Genesis.GenesisValidator(VALIDATOR.address(), MIN_STAKE.multiply(BigInteger.TEN))),
        allocations,
        new ProtocolParams(
            1000,
            EPOCH_LENGTH,
            2,
            MIN_STAKE,
            MIN_FEE,
            1000,
            new ProtocolParams.FeeSplit(2000, 8000),
            BOND_LOCK,
            DevnetGenesis.ai()));
  }
}
