package io.ascribe.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.TxExecutor;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A real ledger on disk for the AI RPC tests: the devnet with dev accounts 0 to 2 as its
 * validators, each of which has declared the inference capability, and a model and a datanet
 * ({@code text/v1}, 1 OPEN minimum bond) opened by {@code owner}. Blocks are proposed by dev
 * account 0, one second apart; every transaction must succeed.
 */
final class CapableChain implements AutoCloseable {
  static final List<PrivateKey> DEV = DevnetGenesis.devAccounts();
  static final Genesis GENESIS = threeValidators();
  static final BigInteger FEE = GENESIS.params().minFee();

  final Ledger ledger;
  final Hash model;
  final Hash datanet;
  private final Map<Address, Long> nonces = new HashMap<>();
  private long time = GENESIS.genesisTime().toEpochMilli();

  CapableChain(Path dir, PrivateKey owner) {
    ledger = Ledger.open(dir, GENESIS);
    List<SignedTransaction> setup = new ArrayList<>();
    for (PrivateKey validator : DEV.subList(0, 3)) {
      setup.add(sign(validator, n -> TxBodies.declareCapability(GENESIS.chainId(), n, FEE)));
    }
    model = TxExecutor.objectId("model", owner.address(), nonce(owner.address()));
    setup.add(
        sign(
            owner,
            n ->
                TxBodies.registerModel(
                    GENESIS.chainId(),
                    n,
                    FEE,
                    Keccak.hash(new byte[] {1}),
                    Keccak.hash(new byte[] {2}),
                    "LlamaForCausalLM",
                    "apache-2.0")));
    datanet = TxExecutor.objectId("datanet", owner.address(), nonce(owner.address()));
    setup.add(
        sign(
            owner,
            n ->
                TxBodies.createDatanet(
                    GENESIS.chainId(),
                    n,
                    FEE,
                    "fortunes",
                    TxBodies.datanetRules(Amount.ONE_OPEN, "text/v1", 10_000))));
    commit(setup);
  }

  /**
   * The devnet with dev accounts 0 to 2 as its validators, each job verified by the two that do not
   * execute it (the one-validator devnet asks no verifiers).
   */
  private static Genesis threeValidators() {
    Genesis devnet = DevnetGenesis.create().withJobVerifiers(2);
    return new Genesis(
        devnet.chainId(),
        devnet.genesisTime(),
        DEV.subList(0, 3).stream()
            .map(k -> new Genesis.GenesisValidator(k.address(), DevnetGenesis.VALIDATOR_STAKE))
            .toList(),
        devnet.allocations(),
        devnet.params());
  }

  /** The nonce {@code account}'s next transaction signed here gets. */
  long nonce(Address account) {
    return nonces.getOrDefault(account, 0L);
  }

  SignedTransaction sign(PrivateKey key, LongFunction<TxBody> body) {
    long nonce = nonces.merge(key.address(), 1L, Long::sum) - 1;
    return SignedTransaction.sign(body.apply(nonce), key);
  }

  void commit(List<SignedTransaction> txs) {
    ExecutedBlock block = ledger.propose(txs, time += 1000, DEV.get(0).address());
    assertThat(block.receipts()).allSatisfy(r -> assertThat(r.error()).isEmpty());
    ledger.commit(block, Commit.newBuilder().setHeight(block.height()).build());
  }

  void run(PrivateKey key, LongFunction<TxBody> body) {
    commit(List.of(sign(key, body)));
  }

  void advanceTo(long height) {
    while (ledger.height() < height) {
      commit(List.of());
    }
  }

  Hash stateRoot() {
    return Hash.copyOf(ledger.headHeader().getStateRoot().toByteArray());
  }

  @Override
  public void close() {
    ledger.close();
  }
}
