package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.contracts.settlement.SettlementClient;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.node.client.RpcClient;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;

/**
 * The relayer end to end: a testnet of four validator processes that settles on anvil ({@code
 * testnet up --evm}: anvil, the contracts deployed for the validators, and a relayer process), a
 * new account staking its way into the validator set across an epoch boundary, the relayer
 * submitting the outgoing set's signed update and the epoch roots the new set signed, a relayer
 * restarted mid-way that submits nothing twice, and a validator's wallet claiming with {@code
 * ascribe rewards claim --rpc} exactly what {@code ascribe_getRewards} says it earned.
 */
class RelayerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long EPOCH_LENGTH = 10;

  private final List<PrivateKey> dev = DevnetGenesis.devAccounts();

  /** Joins the validator set with the smallest bond: the four keep more than 2/3 of the power. */
  private final PrivateKey joiner = dev.get(5);

  /** Pays the claim's gas: anyone may send it, the OPEN goes to the account. */
  private final PrivateKey claimSender = dev.get(2);

  private Path dir;

  @AfterEach
  void down() {
    if (dir != null) {
      Main.commandLine().execute("testnet", "down", "--dir", dir.toString());
    }
  }

  @Test
  void relaysTheValidatorSetUpdateAndEveryEpochOnceAndAWalletClaimsWhatItEarned(@TempDir Path tmp)
      throws Exception {
    dir = tmp;
    LocalTestnet.ascribe(
        "testnet",
        "up",
        "--validators",
        "4",
        "--dir",
        dir.toString(),
        "--block-time",
        "100",
        "--seed",
        "8",
        "--epoch-length",
        String.valueOf(EPOCH_LENGTH),
        "--evm");
    JsonNode manifest = JSON.readTree(dir.resolve("testnet.json").toFile());
    JsonNode evmState = manifest.path("evm");
    String rpcUrl = LocalTestnet.awaitRpc(manifest.path("nodes").get(0).path("rpcUrl").asText());
    manifest.path("nodes").forEach(n -> LocalTestnet.awaitRpc(n.path("rpcUrl").asText()));
    String evmUrl = evmState.path("rpcUrl").asText();
    Address distributor = Address.fromHex(evmState.path("distributor").asText());
    Address token = Address.fromHex(evmState.path("token").asText());
    RpcClient rpc = LocalTestnet.rpc(rpcUrl);
    Web3j web3j = Web3j.build(new HttpService(evmUrl));
    try {
      SettlementClient evm = new SettlementClient(web3j, claimSender);
      Address relayerAccount = dev.get(DevnetCommand.RELAYER_ACCOUNT).address();

      // The relayer submits the first epoch, signed by the genesis set.
      LocalTestnet.await(
          "the relayer submits epoch 1", () -> evm.latestEpoch(distributor), e -> e >= 1);
      assertThat(evm.validatorSetNonce(distributor)).isZero();

      // A new account bonds the minimum stake (its fee is the validators' reward); it joins the
      // set after the validator-set delay, and the outgoing set signs the distributor's update.
      LocalTestnet.ascribe(
          "tx",
          "stake",
          "--rpc",
          rpcUrl,
          "--key",
          joiner.toHex(),
          "--amount",
          "1000",
          "--fee",
          "3");
      JsonNode updates =
          LocalTestnet.await(
              "the chain records the validator-set update",
              () -> rpc.call("ascribe_getValidatorSetUpdates", "0x0"),
              u -> u.path("updates").size() == 1);
      JsonNode update = updates.path("updates").get(0);
      assertThat(update.path("validators").toString()).contains(joiner.address().toString());
      assertThat(update.path("signatures").size()).isGreaterThanOrEqualTo(3);
      long announcedAt = Quantities.parseLong(update.path("height").asText());
      long firstEpochOfNewSet = announcedAt / EPOCH_LENGTH + 1;

      // The relayer moves the distributor to the new set, then submits the epochs it signed.
      LocalTestnet.await(
          "the relayer submits the update and epoch " + firstEpochOfNewSet,
          () -> evm.latestEpoch(distributor),
          e -> e >= firstEpochOfNewSet);
      assertThat(evm.validatorSetNonce(distributor)).isEqualTo(1);
      assertThat(evm.validatorSetHash(distributor).toHex())
          .isEqualTo(update.path("validatorSetHash").asText());

      // Stop the relayer mid-way, let two more epochs end, and start another on the same key.
      ProcessHandle first = ProcessHandle.of(evmState.path("relayerPid").asLong()).orElseThrow();
      first.destroy();
      first.onExit().join();
      long heldWhenStopped = evm.latestEpoch(distributor);
      LocalTestnet.await(
          "two more epochs end",
          () -> LocalTestnet.height(rpcUrl),
          h -> h >= (heldWhenStopped + 2) * EPOCH_LENGTH);
      Path secondLog = dir.resolve("relayer2.log");
      ProcessHandle second =
          ProcessHandle.of(
                  TestnetCommand.launchAscribe(
                      List.of(
                          "relayer",
                          "--rpc",
                          rpcUrl,
                          "--evm-rpc",
                          evmUrl,
                          "--distributor",
                          distributor.toString(),
                          "--key",
                          dev.get(DevnetCommand.RELAYER_ACCOUNT).toHex(),
                          "--poll-ms",
                          "200"),
                      secondLog))
              .orElseThrow();
      try {
        LocalTestnet.await(
            "the restarted relayer catches up",
            () -> evm.latestEpoch(distributor),
            e -> e >= heldWhenStopped + 2);
        second.destroy();
        second.onExit().join();
      } finally {
        second.destroyForcibly();
      }
      long held = evm.latestEpoch(distributor);

      // Nothing twice: every transaction the relayers sent is one update or one epoch, each
      // epoch from 1 to the latest once (the distributor takes only later epochs), and neither
      // relayer had a transaction refused.
      BigInteger sent =
          web3j
              .ethGetTransactionCount(relayerAccount.toString(), DefaultBlockParameterName.LATEST)
              .send()
              .getTransactionCount();
      assertThat(sent.longValueExact()).isEqualTo(held + 1);
      String logs = Files.readString(dir.resolve("relayer.log")) + Files.readString(secondLog);
      assertThat(logs)
          .contains("submitted validator-set update 0")
          .doesNotContain("refused")
          .doesNotContain("Exception");

      // A validator's wallet claims with the proof the chain serves, and holds to the unit what
      // the chain credited it in the distributor's epoch (no fee has been paid since the stake).
      Address wallet = rewarded(rpc, manifest);
      LocalTestnet.ascribe(
          "rewards",
          "claim",
          "--rpc",
          rpcUrl,
          "--evm-rpc",
          evmUrl,
          "--distributor",
          distributor.toString(),
          "--key",
          claimSender.toHex(),
          "--account",
          wallet.toString());
      BigInteger credited =
          Quantities.parse(
              rpc.call("ascribe_getRewards", wallet.toString()).path("cumulative").asText());
      assertThat(credited).isPositive();
      assertThat(evm.balanceOf(token, wallet)).isEqualTo(credited);
      assertThat(Amount.formatOpen(credited)).isNotEmpty();
    } finally {
      web3j.shutdown();
    }
  }

  /** A genesis validator that the stake's fee credited (the block's proposer). */
  private static Address rewarded(RpcClient rpc, JsonNode manifest) throws IOException {
    for (JsonNode node : manifest.path("nodes")) {
      Address address = Address.fromHex(node.path("address").asText());
      BigInteger cumulative =
          Quantities.parse(
              rpc.call("ascribe_getRewards", address.toString()).path("cumulative").asText());
      if (cumulative.signum() > 0) {
        return address;
      }
    }
    throw new IOException("no validator was credited a reward");
  }
}
