package io.ascribe.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.contracts.Anvil;
import io.ascribe.contracts.settlement.Contracts;
import io.ascribe.contracts.settlement.SettlementClient;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.proto.CommitSig;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.state.ValidatorSet;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four validators in this JVM, each with its own data directory, talking over real TLS p2p on
 * loopback: they decide blocks by Tendermint consensus, agree on every block, include a client's
 * transaction, keep committing with one of them stopped, and take it back when it restarts; at an
 * epoch's end they sign its reward root in their precommits, and the EVM distributor accepts it.
 */
class ValidatorsConsensusIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final BigInteger OPEN = Amount.ONE_OPEN;
  private static final long EPOCH_LENGTH = 10;

  @TempDir Path dir;
  private final List<PrivateKey> keys = DevnetGenesis.devAccounts().subList(0, 4);
  private InJvmValidators validators;
  private AscribeNode[] nodes;

  private Genesis genesis() {
    Genesis devnet = DevnetGenesis.create(100);
    return new Genesis(
        devnet.chainId(),
        Instant.parse("2026-01-01T00:00:00Z"),
        validators(),
        devnet.allocations(),
        devnet.params());
  }

  private List<Genesis.GenesisValidator> validators() {
    List<Genesis.GenesisValidator> validators = new ArrayList<>();
    for (PrivateKey key : keys) {
      validators.add(
          new Genesis.GenesisValidator(key.address(), OPEN.multiply(BigInteger.valueOf(100_000))));
    }
    return validators;
  }

  @BeforeEach
  void layOutValidators() {
    validators = new InJvmValidators(dir, keys);
    nodes = validators.nodes;
  }

  @AfterEach
  void stop() {
    validators.close();
  }

  @Test
  void fourValidatorsCommitTheSameBlocksAndSurviveOneStopping() throws Exception {
    Genesis genesis = genesis();
    for (int i = 0; i < 4; i++) {
      validators.start(i, genesis);
    }
    try (HeadSubscription heads = HeadSubscription.open(nodes[0].rpcUrl())) {
      heads.awaitHeight(3, WAIT);
    }

    // A transfer sent to one validator is gossiped, proposed by whoever's turn it is, and
    // committed.
    RpcClient rpc = new RpcClient(nodes[3].rpcUrl());
    Address to = Address.fromHex("0x00000000000000000000000000000000000000bb");
    SignedTransaction tx =
        SignedTransaction.sign(
            TxBodies.transfer(genesis.chainId(), 0, genesis.params().minFee(), to, OPEN),
            keys.get(1));
    String hash = rpc.call("ascribe_sendRawTransaction", Hex.encode(tx.encoded())).asText();
    try (HeadSubscription heads = HeadSubscription.open(nodes[3].rpcUrl())) {
      while (rpc.call("ascribe_getTransactionReceipt", hash).isNull()) {
        heads.next(WAIT);
      }
    }
    assertThat(Quantities.parse(rpc.call("ascribe_getBalance", to.toString()).asText()))
        .isEqualTo(OPEN);

    // One of four stops: the other three still hold more than 2/3 of the power.
    nodes[2].close();
    nodes[2] = null;
    long stoppedAt = nodes[0].ledger().height();
    try (HeadSubscription heads = HeadSubscription.open(nodes[0].rpcUrl())) {
      heads.awaitHeight(stoppedAt + 3, WAIT);
    }

    // It comes back on the same data directory, catches up and follows again.
    validators.start(2, genesis);
    long target = nodes[0].ledger().height() + 2;
    try (HeadSubscription heads = HeadSubscription.open(nodes[2].rpcUrl())) {
      heads.awaitHeight(target, WAIT);
    }

    // Nodes commit a height a moment apart: compare the heights every node has.
    long common = Long.MAX_VALUE;
    for (AscribeNode node : nodes) {
      common = Math.min(common, node.ledger().height());
    }
    for (long h = 1; h <= common; h++) {
      var reference = nodes[0].ledger().block(h).orElseThrow().getHeader();
      for (AscribeNode node : nodes) {
        assertThat(node.ledger().block(h).orElseThrow().getHeader())
            .as("block %d", h)
            .isEqualTo(reference);
      }
    }
  }

  @Test
  void fourValidatorsSignTheEpochRootInTheirCommitAndTheDistributorAcceptsIt() throws Exception {
    try (Anvil anvil = Anvil.start()) {
      SettlementClient evm = new SettlementClient(anvil.web3j(), Anvil.DEPLOYER);
      // Deployed for the genesis validators before the chain starts, then named in its genesis.
      List<ValidatorSet.Validator> stakes = new ArrayList<>();
      for (Genesis.GenesisValidator v : validators()) {
        stakes.add(new ValidatorSet.Validator(v.address(), v.stake()));
      }
      Contracts contracts =
          evm.deployAll(OPEN, new ValidatorSet(stakes).settlementSet(), BigInteger.ZERO);
      Genesis base = genesis();
      Genesis genesis =
          new Genesis(
              base.chainId(),
              base.genesisTime(),
              base.validators(),
              base.allocations(),
              base.params().withEpochLength(EPOCH_LENGTH),
              Optional.of(new Genesis.Settlement(Anvil.CHAIN_ID, contracts.distributor())),
              Optional.empty());
      for (int i = 0; i < 4; i++) {
        validators.start(i, genesis);
      }
      long height = EPOCH_LENGTH;
      for (AscribeNode node : nodes) {
        try (HeadSubscription heads = HeadSubscription.open(node.rpcUrl())) {
          heads.awaitHeight(height, WAIT);
        }
      }

      JsonNode root = new RpcClient(nodes[0].rpcUrl()).call("ascribe_getEpochRoot", "0x1");
      Hash rewardsRoot = Hash.fromHex(root.path("root").asText());
      Hash digest = evm.epochRootDigest(contracts.distributor(), 1, rewardsRoot);
      assertThat(Hash.fromHex(root.path("validatorSetHash").asText()))
          .isEqualTo(evm.validatorSetHash(contracts.distributor()));
      for (AscribeNode node : nodes) {
        assertThat(node.ledger().epochRootDigest(height)).contains(digest);
        // Each node committed the block with its own precommits; every one carries a signature
        // over the same digest, and more than 2/3 of the power signed.
        List<CommitSig> sigs = node.ledger().commitOf(height).orElseThrow().getSignaturesList();
        assertThat(sigs).hasSizeGreaterThanOrEqualTo(3);
        for (CommitSig sig : sigs) {
          Signature signature = Signature.fromBytes(sig.getEpochRootSignature().toByteArray());
          assertThat(Secp256k1.recoverAddress(digest, signature))
              .isEqualTo(Address.wrap(sig.getValidator().toByteArray()));
        }
        Hash recorded =
            Hash.copyOf(
                node.ledger()
                    .block(height)
                    .orElseThrow()
                    .getHeader()
                    .getRewardsRoot()
                    .toByteArray());
        assertThat(recorded).isEqualTo(rewardsRoot);
      }

      List<byte[]> signatures = new ArrayList<>();
      root.path("signatures").forEach(s -> signatures.add(Hex.decode(s.asText())));
      assertThat(signatures).hasSizeGreaterThanOrEqualTo(3);
      evm.submitEpoch(contracts.distributor(), 1, rewardsRoot, signatures);
      assertThat(evm.latestEpoch(contracts.distributor())).isEqualTo(1);
      assertThat(evm.rewardsRoot(contracts.distributor())).isEqualTo(rewardsRoot);
      assertThat(Quantities.parseLong(root.path("height").asText())).isEqualTo(height);
    }
  }
}
