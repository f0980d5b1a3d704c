package io.ascribe.node.cli;

import static io.ascribe.node.cli.LocalTestnet.ascribe;
import static io.ascribe.node.cli.LocalTestnet.assertSameBlocks;
import static io.ascribe.node.cli.LocalTestnet.await;
import static io.ascribe.node.cli.LocalTestnet.awaitHeight;
import static io.ascribe.node.cli.LocalTestnet.awaitRpc;
import static io.ascribe.node.cli.LocalTestnet.height;
import static io.ascribe.node.cli.LocalTestnet.peers;
import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.config.NodeHome;
import io.ascribe.node.config.NodeSettings;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A testnet of four validator processes commits a history of at least {@value #HISTORY} heights
 * with a few transfers in it; then a full node, set up as an operator would ({@code ascribe init}
 * with the testnet's genesis, the validators as its persistent peers, {@code ascribe run}), starts
 * from genesis, syncs to the validators' height with the same block hashes and state roots, and
 * keeps following the heights they commit after. Everything is read over JSON-RPC.
 */
class TestnetLateFullNodeIT {
  private static final int HISTORY = 20;
  private static final long SEED = 7;

  @TempDir Path dir;
  @RegisterExtension final LocalTestnets testnets = new LocalTestnets();

  @Test
  void aFullNodeJoiningLateSyncsFromGenesisToTheSameChainAndFollowsIt() throws Exception {
    LocalTestnet testnet = testnets.init(dir.resolve("testnet"), 4, 200, SEED).start();
    List<String> validators = testnet.rpcUrls();
    awaitHeight(validators, 2);

    // Transfers from six dev accounts to seeded recipients, through each validator in turn, in
    // three rounds a few heights apart.
    Random random = new Random(SEED);
    Map<Address, BigInteger> sent = new LinkedHashMap<>();
    for (int round = 0; round < 3; round++) {
      List<String> hashes = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        int sender = 1 + 2 * round + k;
        byte[] to = new byte[Address.SIZE];
        random.nextBytes(to);
        BigInteger amount = Amount.ONE_OPEN.multiply(BigInteger.valueOf(1 + random.nextInt(100)));
        sent.put(Address.wrap(to), amount);
        hashes.add(
            transfer(
                validators.get(sender % validators.size()),
                DevnetGenesis.devAccounts().get(sender),
                Address.wrap(to),
                amount));
      }
      String rpc = validators.get(round % validators.size());
      await(
          "transfers " + hashes + " included",
          () -> hashes.stream().allMatch(hash -> included(rpc, hash)),
          all -> all);
      awaitHeight(validators, height(rpc) + 3);
    }
    awaitHeight(validators, HISTORY);

    // The full node: a home of its own on the testnet's genesis, the validators as its peers.
    Path home = dir.resolve("fullnode");
    ascribe(
        "init",
        "--home",
        home.toString(),
        "--genesis",
        new NodeHome(testnet.node(0).home()).genesisFile().toString());
    List<String> peers = testnet.nodes().stream().map(LocalTestnet.Node::p2p).toList();
    new NodeHome(home)
        .writeSettings(
            new NodeSettings(
                new NodeSettings.Rpc("127.0.0.1", TestnetCommand.freePort()),
                new NodeSettings.Metrics("127.0.0.1", -1),
                new NodeSettings.P2p("127.0.0.1", TestnetCommand.freePort(), peers)));
    testnet.launch(home);
    String full = awaitRpc(rpcUrlOf(home));

    // It takes no part in consensus, and its peers are the validators.
    RpcClient fullRpc = LocalTestnet.rpc(full);
    assertThat(fullRpc.call("ascribe_consensusState").isNull()).isTrue();
    Set<Address> validatorIds = new HashSet<>();
    testnet.nodes().forEach(node -> validatorIds.add(node.address()));
    await(
        "the full node connected to the four validators", () -> peers(full), validatorIds::equals);

    // It reaches the validators' height, block for block and state root for state root.
    List<String> everyone = new ArrayList<>(validators);
    everyone.add(0, full);
    long target = validators.stream().mapToLong(LocalTestnet::height).max().orElseThrow();
    awaitHeight(everyone, target);
    assertSameBlocks(everyone, 1, target);
    for (Map.Entry<Address, BigInteger> transfer : sent.entrySet()) {
      assertThat(
              Quantities.parse(
                  fullRpc.call("ascribe_getBalance", transfer.getKey().toString()).asText()))
          .as("balance of %s on the full node", transfer.getKey())
          .isEqualTo(transfer.getValue());
    }

    // And it follows what the validators commit after.
    long next = validators.stream().mapToLong(LocalTestnet::height).max().orElseThrow() + 3;
    awaitHeight(everyone, next);
    assertSameBlocks(everyone, target + 1, next);
  }

  /** Signs and sends a transfer through a validator; returns its hash. */
  private static String transfer(String rpc, PrivateKey from, Address to, BigInteger amount) {
    RpcClient client = LocalTestnet.rpc(rpc);
    long chainId = Quantities.parseLong(client.call("ascribe_chainId").asText());
    BigInteger fee = Quantities.parse(client.call("ascribe_minFee").asText());
    long nonce =
        Quantities.parseLong(
            client.call("ascribe_getNonce", from.address().toString(), "pending").asText());
    SignedTransaction tx =
        SignedTransaction.sign(TxBodies.transfer(chainId, nonce, fee, to, amount), from);
    return client.call("ascribe_sendRawTransaction", Hex.encode(tx.encoded())).asText();
  }

  private static boolean included(String rpc, String txHash) {
    return !LocalTestnet.rpc(rpc).call("ascribe_getTransactionReceipt", txHash).isNull();
  }

  private static String rpcUrlOf(Path home) {
    NodeSettings.Rpc rpc = new NodeHome(home).load().settings().rpc();
    return "http://" + rpc.host() + ":" + rpc.port();
  }
}
