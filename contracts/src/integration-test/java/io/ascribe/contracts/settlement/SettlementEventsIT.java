package io.ascribe.contracts.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.contracts.Anvil;
import io.ascribe.contracts.generated.OpenBridge;
import io.ascribe.contracts.generated.OpenToken;
import io.ascribe.contracts.generated.RewardDistributor;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.settlement.ValidatorSet;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The settlement contracts' events, read from the transaction receipts with the generated Web3j
 * wrappers' getters, as a relayer or indexer reads them: each accepted root, validator-set change,
 * claim and withdrawal emits one event, from the contract that changed, with what it changed.
 */
class SettlementEventsIT {
  static final BigInteger OPEN = BigInteger.TEN.pow(18);

  static Anvil anvil;
  static SettlementClient client;

  /** Powers 10, 20, 30, 40 of 100. */
  final List<PrivateKey> keys = Validators.keys("events-validator-", 4);

  final ValidatorSet validators = Validators.set(keys, List.of(10L, 20L, 30L, 40L));
  final Address alice = Validators.key("events-alice").address();
  final Address bob = Validators.key("events-bob").address();
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
    contracts =
        client.deployAll(
            OPEN.multiply(BigInteger.valueOf(1_000)), validators, OPEN.multiply(BigInteger.TEN));
  }

  static BigInteger open(long n) {
    return OPEN.multiply(BigInteger.valueOf(n));
  }

  /** Keys of the set with the given powers (10, 20, 30 or 40). */
  List<PrivateKey> withPowers(long... powers) {
    List<PrivateKey> signers = new ArrayList<>();
    for (long p : powers) {
      signers.add(keys.get((int) (p / 10) - 1));
    }
    return signers;
  }

  static void assertEmittedBy(Log log, Address contract) {
    assertThat(Address.fromHex(log.getAddress())).isEqualTo(contract);
  }

  static void assertSet(RewardDistributor.ValidatorSetUpdatedEventResponse e, ValidatorSet set) {
    assertThat(Hash.wrap(e.validatorSetHash)).isEqualTo(set.hash());
    assertThat(e.validators.stream().map(Address::fromHex).toList())
        .containsExactlyElementsOf(set.validators());
    assertThat(e.powers).containsExactlyElementsOf(set.powers());
  }

  @Test
  void epochRootsAndValidatorSetUpdatesEmitTheirEpochRootNonceAndSet() throws IOException {
    Address distributor = contracts.distributor();

    // The constructor announces the first set as update 0.
    EthFilter filter =
        new EthFilter(
            DefaultBlockParameterName.EARLIEST,
            DefaultBlockParameterName.LATEST,
            distributor.toString());
    List<RewardDistributor.ValidatorSetUpdatedEventResponse> deployed = new ArrayList<>();
    for (EthLog.LogResult<?> result : anvil.web3j().ethGetLogs(filter).send().getLogs()) {
      Log log = (Log) result.get();
      if (log.getTopics()
          .get(0)
          .equals(org.web3j.abi.EventEncoder.encode(RewardDistributor.VALIDATORSETUPDATED_EVENT))) {
        deployed.add(RewardDistributor.getValidatorSetUpdatedEventFromLog(log));
      }
    }
    assertThat(deployed)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.nonce).isZero();
              assertSet(e, validators);
            });

    Hash root1 = RewardsTree.of(Map.of(alice, open(1), bob, open(2))).root();
    TransactionReceipt first =
        client.submitEpoch(
            distributor,
            1,
            root1,
            ValidatorSignatures.signAll(
                withPowers(40, 30), client.epochRootDigest(distributor, 1, root1)));
    assertThat(RewardDistributor.getEpochSubmittedEvents(first))
        .singleElement()
        .satisfies(
            e -> {
              assertEmittedBy(e.log, distributor);
              assertThat(e.epoch).isOne();
              assertThat(Hash.wrap(e.rewardsRoot)).isEqualTo(root1);
              assertThat(e.signedPower).isEqualTo(BigInteger.valueOf(70));
            });

    // Epochs may skip numbers; the event names the one accepted and the power that signed it.
    Hash root2 = RewardsTree.of(Map.of(alice, open(3), bob, open(2))).root();
    TransactionReceipt second =
        client.submitEpoch(
            distributor,
            4,
            root2,
            ValidatorSignatures.signAll(keys, client.epochRootDigest(distributor, 4, root2)));
    assertThat(RewardDistributor.getEpochSubmittedEvents(second))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.epoch).isEqualTo(BigInteger.valueOf(4));
              assertThat(Hash.wrap(e.rewardsRoot)).isEqualTo(root2);
              assertThat(e.signedPower).isEqualTo(BigInteger.valueOf(100));
            });
    assertThat(RewardDistributor.getValidatorSetUpdatedEvents(second)).isEmpty();

    // A rotation to three validators, then another: the nonce counts the accepted updates.
    List<PrivateKey> nextKeys = Validators.keys("events-next-", 3);
    ValidatorSet next = Validators.set(nextKeys, List.of(7L, 8L, 9L));
    TransactionReceipt rotation =
        client.updateValidatorSet(
            distributor,
            next,
            ValidatorSignatures.signAll(
                withPowers(20, 30, 40), client.validatorSetUpdateDigest(distributor, next)));
    assertThat(RewardDistributor.getValidatorSetUpdatedEvents(rotation))
        .singleElement()
        .satisfies(
            e -> {
              assertEmittedBy(e.log, distributor);
              assertThat(e.nonce).isOne();
              assertSet(e, next);
            });
    assertThat(RewardDistributor.getEpochSubmittedEvents(rotation)).isEmpty();

    ValidatorSet third = Validators.set(keys.subList(0, 2), List.of(1L, 3L));
    TransactionReceipt secondRotation =
        client.updateValidatorSet(
            distributor,
            third,
            ValidatorSignatures.signAll(
                nextKeys.subList(1, 3), client.validatorSetUpdateDigest(distributor, third)));
    assertThat(RewardDistributor.getValidatorSetUpdatedEvents(secondRotation))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.nonce).isEqualTo(BigInteger.TWO);
              assertSet(e, third);
            });

    // The new set's signatures make an epoch, and the event counts their power (3 of 4).
    Hash root3 = RewardsTree.of(Map.of(alice, open(4))).root();
    TransactionReceipt fifth =
        client.submitEpoch(
            distributor,
            5,
            root3,
            ValidatorSignatures.signAll(
                withPowers(20), client.epochRootDigest(distributor, 5, root3)));
    assertThat(RewardDistributor.getEpochSubmittedEvents(fifth))
        .singleElement()
        .satisfies(e -> assertThat(e.signedPower).isEqualTo(BigInteger.valueOf(3)));
  }

  /**
   * The one Transfer a claim's receipt holds: from the distributor's pool to the account, of what
   * this claim paid. Claimed carries the cumulative amount; a reader takes the payment from here.
   */
  static void assertPaidFromThePool(
      TransactionReceipt receipt, Contracts contracts, Address account, BigInteger paid) {
    assertThat(OpenToken.getTransferEvents(receipt))
        .singleElement()
        .satisfies(
            t -> {
              assertEmittedBy(t.log, contracts.token());
              assertThat(Address.fromHex(t.from)).isEqualTo(contracts.distributor());
              assertThat(Address.fromHex(t.to)).isEqualTo(account);
              assertThat(t.value).isEqualTo(paid);
            });
  }

  @Test
  void claimsEmitTheCumulativeAmountAndTheTokenTransferWhatThisClaimPaid() {
    Address distributor = contracts.distributor();
    RewardsTree t1 = RewardsTree.of(Map.of(alice, open(2), bob, open(1)));
    client.submitEpoch(
        distributor,
        1,
        t1.root(),
        ValidatorSignatures.signAll(keys, client.epochRootDigest(distributor, 1, t1.root())));
    TransactionReceipt firstClaim = client.claim(distributor, t1, alice);
    assertThat(RewardDistributor.getClaimedEvents(firstClaim))
        .singleElement()
        .satisfies(
            e -> {
              assertEmittedBy(e.log, distributor);
              assertThat(Address.fromHex(e.account)).isEqualTo(alice);
              assertThat(e.cumulativeAmount).isEqualTo(open(2));
            });
    assertPaidFromThePool(firstClaim, contracts, alice, open(2));

    RewardsTree t2 = RewardsTree.of(Map.of(alice, open(5), bob, open(1)));
    client.submitEpoch(
        distributor,
        2,
        t2.root(),
        ValidatorSignatures.signAll(keys, client.epochRootDigest(distributor, 2, t2.root())));
    TransactionReceipt secondClaim = client.claim(distributor, t2, alice);
    assertThat(RewardDistributor.getClaimedEvents(secondClaim))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(Address.fromHex(e.account)).isEqualTo(alice);
              assertThat(e.cumulativeAmount).isEqualTo(open(5));
            });
    assertPaidFromThePool(secondClaim, contracts, alice, open(3));
  }

  @Test
  void withdrawalRootsAndWithdrawalsEmitTheirEpochRootPowerAndPayment() {
    Address bridge = contracts.bridge();
    client.deposit(contracts.token(), bridge, open(100), alice);

    RewardsTree w1 = RewardsTree.of(Map.of(alice, open(30), bob, open(20)));
    TransactionReceipt submitted =
        client.submitWithdrawals(
            bridge,
            1,
            w1.root(),
            ValidatorSignatures.signAll(
                withPowers(10, 30, 40), client.withdrawalRootDigest(bridge, 1, w1.root())));
    assertThat(OpenBridge.getWithdrawalRootSubmittedEvents(submitted))
        .singleElement()
        .satisfies(
            e -> {
              assertEmittedBy(e.log, bridge);
              assertThat(e.epoch).isOne();
              assertThat(Hash.wrap(e.withdrawalsRoot)).isEqualTo(w1.root());
              assertThat(e.signedPower).isEqualTo(BigInteger.valueOf(80));
            });
    // The bridge borrows the distributor's quorum check; the distributor announces no epoch.
    assertThat(RewardDistributor.getEpochSubmittedEvents(submitted)).isEmpty();

    TransactionReceipt paid = client.withdraw(bridge, w1, bob);
    assertThat(OpenBridge.getWithdrawnEvents(paid))
        .singleElement()
        .satisfies(
            e -> {
              assertEmittedBy(e.log, bridge);
              assertThat(Address.fromHex(e.account)).isEqualTo(bob);
              assertThat(e.cumulativeAmount).isEqualTo(open(20));
              assertThat(e.paid).isEqualTo(open(20));
            });

    RewardsTree w2 = RewardsTree.of(Map.of(alice, open(30), bob, open(45)));
    TransactionReceipt second =
        client.submitWithdrawals(
            bridge,
            3,
            w2.root(),
            ValidatorSignatures.signAll(keys, client.withdrawalRootDigest(bridge, 3, w2.root())));
    assertThat(OpenBridge.getWithdrawalRootSubmittedEvents(second))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.epoch).isEqualTo(BigInteger.valueOf(3));
              assertThat(Hash.wrap(e.withdrawalsRoot)).isEqualTo(w2.root());
              assertThat(e.signedPower).isEqualTo(BigInteger.valueOf(100));
            });
    TransactionReceipt rest = client.withdraw(bridge, w2, bob);
    assertThat(OpenBridge.getWithdrawnEvents(rest))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.cumulativeAmount).isEqualTo(open(45));
              assertThat(e.paid).isEqualTo(open(25));
            });
  }
}
