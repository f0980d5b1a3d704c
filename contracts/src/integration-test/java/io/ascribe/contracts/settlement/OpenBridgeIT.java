package io.ascribe.contracts.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.contracts.Anvil;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.settlement.ValidatorSet;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OpenBridge withdrawals: validator-signed cumulative roots, with the distributor's set. */
class OpenBridgeIT {
  static final BigInteger OPEN = BigInteger.TEN.pow(18);

  static Anvil anvil;
  static SettlementClient client;

  final List<PrivateKey> keys = Validators.keys("bridge-validator-", 4);
  final ValidatorSet validators = Validators.equalPower(keys);
  final Address alice = Validators.key("alice").address();
  final Address bob = Validators.key("bob").address();
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
  void deployAndDeposit() {
    contracts =
        client.deployAll(OPEN.multiply(BigInteger.valueOf(1_000)), validators, BigInteger.ZERO);
    client.deposit(
        contracts.token(), contracts.bridge(), OPEN.multiply(BigInteger.valueOf(100)), alice);
  }

  List<byte[]> sign(List<PrivateKey> signers, long epoch, Hash root) {
    return ValidatorSignatures.signAll(
        signers, client.withdrawalRootDigest(contracts.bridge(), epoch, root));
  }

  static BigInteger open(long n) {
    return OPEN.multiply(BigInteger.valueOf(n));
  }

  void assertReverts(Runnable action, String error) {
    assertThatThrownBy(action::run)
        .isInstanceOf(ContractRevertedException.class)
        .satisfies(e -> assertThat(((ContractRevertedException) e).errorName()).isEqualTo(error));
  }

  @Test
  void withdrawalsPayEachAccountItsCumulativeAmountOnce() {
    Address bridge = contracts.bridge();
    RewardsTree w1 = RewardsTree.of(Map.of(alice, open(30), bob, open(20)));
    client.submitWithdrawals(bridge, 1, w1.root(), sign(keys.subList(0, 3), 1, w1.root()));
    client.withdraw(bridge, w1, alice);
    client.withdraw(bridge, w1, bob);
    assertReverts(() -> client.withdraw(bridge, w1, bob), "NothingToWithdraw");

    RewardsTree w2 = RewardsTree.of(Map.of(alice, open(50), bob, open(20)));
    client.submitWithdrawals(bridge, 2, w2.root(), sign(keys, 2, w2.root()));
    client.withdraw(bridge, w2, alice);
    assertReverts(() -> client.withdraw(bridge, w2, bob), "NothingToWithdraw");

    assertThat(client.balanceOf(contracts.token(), alice)).isEqualTo(open(50));
    assertThat(client.balanceOf(contracts.token(), bob)).isEqualTo(open(20));
    assertThat(client.balanceOf(contracts.token(), bridge)).isEqualTo(open(30));
    assertThat(client.withdrawn(bridge, alice)).isEqualTo(open(50));
  }

  @Test
  void withdrawalRootsNeedMoreThanTwoThirdsAndTheBridgesOwnDomain() {
    Address bridge = contracts.bridge();
    RewardsTree w = RewardsTree.of(Map.of(alice, open(60)));
    Hash root = w.root();
    assertReverts(
        () -> client.submitWithdrawals(bridge, 1, root, sign(keys.subList(0, 2), 1, root)),
        "InsufficientPower");
    // Signatures over the same root as a rewards root (the distributor's domain) do not count.
    List<byte[]> asRewards =
        ValidatorSignatures.signAll(keys, client.epochRootDigest(contracts.distributor(), 1, root));
    assertReverts(() -> client.submitWithdrawals(bridge, 1, root, asRewards), "NotAValidator");
    // Nor do withdrawal signatures make a rewards root.
    List<byte[]> asWithdrawals = sign(keys, 1, root);
    assertReverts(
        () -> client.submitEpoch(contracts.distributor(), 1, root, asWithdrawals), "NotAValidator");

    client.submitWithdrawals(bridge, 1, root, asWithdrawals);
    assertReverts(
        () -> client.submitWithdrawals(bridge, 1, root, asWithdrawals), "EpochNotAfterLatest");
    assertReverts(() -> client.withdraw(bridge, alice, open(61), w.proof(alice)), "InvalidProof");
    assertReverts(() -> client.withdraw(bridge, bob, open(60), w.proof(alice)), "InvalidProof");
    assertThat(client.balanceOf(contracts.token(), alice)).isZero();
  }

  @Test
  void aRotationOfTheDistributorsSetRotatesTheBridgesSigners() {
    List<PrivateKey> next = Validators.keys("bridge-next-", 3);
    ValidatorSet nextSet = Validators.equalPower(next);
    client.updateValidatorSet(
        contracts.distributor(),
        nextSet,
        ValidatorSignatures.signAll(
            keys, client.validatorSetUpdateDigest(contracts.distributor(), nextSet)));
    Hash root = RewardsTree.of(Map.of(bob, open(1))).root();
    assertReverts(
        () -> client.submitWithdrawals(contracts.bridge(), 1, root, sign(keys, 1, root)),
        "NotAValidator");
    client.submitWithdrawals(contracts.bridge(), 1, root, sign(next, 1, root));
    assertThat(client.latestWithdrawalEpoch(contracts.bridge())).isOne();
  }
}
