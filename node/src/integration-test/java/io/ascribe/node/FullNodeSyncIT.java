package io.ascribe.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.sync.PeerAddress;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A validator and a full node over real p2p on loopback: the full node catches up from genesis,
 * forwards a client's transaction to the validator, and ends at the validator's state root.
 */
class FullNodeSyncIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path validatorDir;
  @TempDir Path fullNodeDir;

  @Test
  void aFullNodeSyncsGossipsAndAgreesWithTheValidator() throws Exception {
    Genesis genesis = DevnetGenesis.create(50);
    List<PrivateKey> dev = DevnetGenesis.devAccounts();
    PrivateKey validatorKey = dev.get(0);
    PrivateKey fullNodeKey = PrivateKey.fromHex("0x" + "42".repeat(32));

    try (AscribeNode validator =
        AscribeNode.start(
            new NodeConfig(
                validatorDir,
                genesis,
                validatorKey,
                "127.0.0.1",
                0,
                -1,
                Optional.of(new NodeConfig.P2p("127.0.0.1", 0, List.of())),
                NodeConfig.Role.SOLE_VALIDATOR))) {
      RpcClient validatorRpc = new RpcClient(validator.rpcUrl());
      // History for the full node to catch up on: a few blocks, one with a transfer.
      Address somebody = Address.fromHex("0x00000000000000000000000000000000000000aa");
      send(validatorRpc, genesis, dev.get(1), 0, somebody);
      try (HeadSubscription heads = HeadSubscription.open(validator.rpcUrl())) {
        heads.awaitHeight(validator.ledger().height() + 5, WAIT);
      }

      PeerAddress peer =
          new PeerAddress(validatorKey.address(), "127.0.0.1", validator.p2pPort().orElseThrow());
      try (AscribeNode fullNode =
              AscribeNode.start(
                  new NodeConfig(
                      fullNodeDir,
                      genesis,
                      fullNodeKey,
                      "127.0.0.1",
                      0,
                      -1,
                      Optional.of(new NodeConfig.P2p("127.0.0.1", 0, List.of(peer))),
                      NodeConfig.Role.FULL_NODE));
          HeadSubscription fullHeads = HeadSubscription.open(fullNode.rpcUrl())) {
        RpcClient fullRpc = new RpcClient(fullNode.rpcUrl());
        long target = validator.ledger().height();
        fullHeads.awaitHeight(target, WAIT);
        assertThat(fullNode.ledger().block(target).orElseThrow().getHeader())
            .isEqualTo(validator.ledger().block(target).orElseThrow().getHeader());

        // A client talks to the full node only; the validator learns of the transaction by gossip.
        String hash = send(fullRpc, genesis, dev.get(2), 0, somebody);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (fullRpc.call("ascribe_getTransactionReceipt", hash).isNull()) {
          assertThat(System.nanoTime())
              .as("transaction included within %s", WAIT)
              .isLessThan(deadline);
          fullHeads.next(WAIT);
        }
        assertThat(
                Quantities.parse(fullRpc.call("ascribe_getBalance", somebody.toString()).asText()))
            .isEqualTo(Amount.ONE_OPEN.multiply(BigInteger.TWO));
        long height = fullNode.ledger().height();
        assertThat(fullNode.ledger().block(height).orElseThrow().getHeader().getStateRoot())
            .isEqualTo(validator.ledger().block(height).orElseThrow().getHeader().getStateRoot());
      }
    }
  }

  private static String send(
      RpcClient rpc, Genesis genesis, PrivateKey from, long nonce, Address to) {
    SignedTransaction tx =
        SignedTransaction.sign(
            TxBodies.transfer(
                genesis.chainId(), nonce, genesis.params().minFee(), to, Amount.ONE_OPEN),
            from);
    return rpc.call("ascribe_sendRawTransaction", Hex.encode(tx.encoded())).asText();
  }
}
