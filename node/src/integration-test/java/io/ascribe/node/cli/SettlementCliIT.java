package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.contracts.Anvil;
import io.ascribe.contracts.settlement.RewardsTree;
import io.ascribe.contracts.settlement.SettlementClient;
import io.ascribe.contracts.settlement.ValidatorSignatures;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.node.cli.InProcessCli.Result;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settlement commands against a real anvil: deploy the contracts for four validators, let them
 * sign an epoch root, and claim and deposit from the command line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SettlementCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<PrivateKey> validators = DevnetGenesis.devAccounts().subList(4, 8);
  private final PrivateKey wallet = DevnetGenesis.devAccounts().get(9);
  private Anvil anvil;

  @BeforeAll
  void start() {
    anvil = Anvil.start();
  }

  @AfterAll
  void stop() {
    anvil.close();
  }

  private static Result run(String... args) {
    return InProcessCli.run(args);
  }

  @Test
  void deployClaimAndDepositFromTheCommandLine(@TempDir Path dir) throws Exception {
    Path validatorsFile = dir.resolve("validators.json");
    StringBuilder list = new StringBuilder("[");
    for (PrivateKey v : validators) {
      list.append(list.length() > 1 ? "," : "")
          .append("{\"address\":\"")
          .append(v.address())
          .append("\",\"power\":\"10\"}");
    }
    Files.writeString(validatorsFile, list.append("]").toString());
    String deployer = Anvil.DEPLOYER.toHex();

    Result deployed =
        run(
            "evm",
            "deploy",
            "--evm-rpc",
            anvil.url(),
            "--key",
            deployer,
            "--validators",
            validatorsFile.toString(),
            "--reward-pool",
            "1000");
    assertThat(deployed.exit()).as(deployed.err()).isZero();
    JsonNode addresses = JSON.readTree(deployed.out());
    Address token = Address.fromHex(addresses.path("token").asText());
    Address distributor = Address.fromHex(addresses.path("distributor").asText());
    Address bridge = Address.fromHex(addresses.path("bridge").asText());

    // The validators sign epoch 1's root (what the chain computes) and a relayer submits it.
    BigInteger earned = Amount.parseOpen("12.5");
    RewardsTree tree =
        RewardsTree.of(
            Map.of(wallet.address(), earned, validators.get(0).address(), BigInteger.TEN));
    SettlementClient relayer = new SettlementClient(anvil.web3j(), Anvil.DEPLOYER);
    relayer.submitEpoch(
        distributor,
        1,
        tree.root(),
        ValidatorSignatures.signAll(
            validators, relayer.epochRootDigest(distributor, 1, tree.root())));
    Path proof = dir.resolve("proof.json");
    Files.writeString(
        proof,
        JSON.writeValueAsString(tree.proof(wallet.address()).stream().map(Hash::toHex).toList()));

    Result claimed =
        run(
            "rewards",
            "claim",
            "--evm-rpc",
            anvil.url(),
            "--key",
            deployer,
            "--distributor",
            distributor.toString(),
            "--account",
            wallet.address().toString(),
            "--amount",
            "12.5",
            "--proof",
            proof.toString());
    assertThat(claimed.exit()).as(claimed.err()).isZero();
    assertThat(claimed.out()).contains("claimed 12.5 OPEN");
    assertThat(relayer.balanceOf(token, wallet.address())).isEqualTo(earned);

    Result again =
        run(
            "rewards",
            "claim",
            "--evm-rpc",
            anvil.url(),
            "--key",
            deployer,
            "--distributor",
            distributor.toString(),
            "--account",
            wallet.address().toString(),
            "--amount",
            "12.5",
            "--proof",
            proof.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).startsWith("error: nothing to claim").doesNotContain("at io.");
    assertThat(relayer.balanceOf(token, wallet.address())).isEqualTo(earned);

    Result wrongAmount =
        run(
            "rewards",
            "claim",
            "--evm-rpc",
            anvil.url(),
            "--key",
            deployer,
            "--distributor",
            distributor.toString(),
            "--account",
            validators.get(0).address().toString(),
            "--amount",
            "1000",
            "--proof",
            proof.toString());
    assertThat(wrongAmount.exit()).isEqualTo(1);
    assertThat(wrongAmount.err()).startsWith("error: the contract refused");

    Result deposit =
        run(
            "bridge",
            "deposit",
            "--evm-rpc",
            anvil.url(),
            "--key",
            deployer,
            "--bridge",
            bridge.toString(),
            "--token",
            token.toString(),
            "--amount",
            "5",
            "--to",
            wallet.address().toString());
    assertThat(deposit.exit()).as(deposit.err()).isZero();
    assertThat(relayer.depositCount(bridge)).isEqualTo(BigInteger.ONE);
    assertThat(relayer.balanceOf(token, bridge)).isEqualTo(Amount.parseOpen("5"));
  }

  @Test
  void anUnreachableEvmOrBadValidatorFileIsOneLine(@TempDir Path dir) throws Exception {
    Path empty = dir.resolve("v.json");
    Files.writeString(empty, "[]");
    Result noValidators =
        run(
            "evm",
            "deploy",
            "--evm-rpc",
            anvil.url(),
            "--key",
            Anvil.DEPLOYER.toHex(),
            "--validators",
            empty.toString());
    assertThat(noValidators.exit()).isEqualTo(1);
    assertThat(noValidators.err()).contains("names no validators");

    Path one = dir.resolve("one.json");
    Files.writeString(
        one, "[{\"address\":\"" + validators.get(0).address() + "\",\"power\":\"1\"}]");
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Result down =
        run(
            "evm",
            "deploy",
            "--evm-rpc",
            "http://127.0.0.1:" + port,
            "--key",
            Anvil.DEPLOYER.toHex(),
            "--validators",
            one.toString());
    assertThat(down.exit()).isEqualTo(1);
    assertThat(down.err()).contains("cannot reach an EVM node").doesNotContain("at io.");
  }
}
