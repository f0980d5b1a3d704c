package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.contracts.settlement.SettlementClient;
import io.ascribe.core.types.Address;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.node.DevnetProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * {@code ascribe devnet --evm} as a user runs it: anvil found beside the distribution, the
 * contracts deployed where the devnet genesis's settlement says, their addresses and anvil's URL in
 * devnet.json, the in-process relayer submitting the first epoch, and anvil stopped with the
 * devnet.
 */
class DevnetEvmIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void startsAnvilDeploysRelaysAndStopsAnvilOnExit(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("devnet-data");
    DevnetProcess devnet = DevnetProcess.start(data, 20, "--evm");
    String evmUrl;
    Web3j web3j;
    try {
      JsonNode evm = JSON.readTree(data.resolve("devnet.json").toFile()).path("evm");
      evmUrl = evm.path("rpcUrl").asText();
      Address distributor = Address.fromHex(evm.path("distributor").asText());
      assertThat(distributor).isEqualTo(DevnetGenesis.SETTLEMENT.distributor());
      assertThat(evm.path("chainId").asLong()).isEqualTo(31337);
      // Printed after the RPC URL the start waited for: wait for the line rather than race it.
      LocalTestnet.await(
          "the devnet prints the distributor",
          devnet::output,
          lines -> lines.stream().anyMatch(line -> line.contains("Distributor " + distributor)));
      web3j = Web3j.build(new HttpService(evmUrl));
      SettlementClient client =
          new SettlementClient(
              web3j, DevnetGenesis.devAccounts().get(DevnetCommand.RELAYER_ACCOUNT));
      LocalTestnet.await(
          "the in-process relayer submits epoch 1",
          () -> client.latestEpoch(distributor),
          e -> e >= 1);
    } finally {
      devnet.stop();
    }
    // Stopping the devnet stops its anvil.
    Web3j after = web3j;
    assertThatThrownBy(() -> after.ethChainId().send()).isInstanceOf(IOException.class);
    after.shutdown();
  }

  @Test
  void evmWithAnOwnBridgeIsRefusedWithTheFix(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err, true));
    int exit =
        cli.execute(
            "devnet",
            "--data-dir",
            dir.toString(),
            "--evm",
            "--bridge",
            "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("error: --evm starts its own anvil and bridge")
        .doesNotContain("at io.");
  }
}
