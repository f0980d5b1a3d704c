package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.genesis.Genesis;
import io.ascribe.node.config.NodeHome;
import io.ascribe.node.config.NodeSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ascribe testnet init}: the layout it writes, without starting any process. */
class TestnetCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private record Run(int exitCode, String out, String err) {}

  private static Run ascribe(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private JsonNode init(Path testnet, String... more) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of("testnet", "init", "--validators", "3", "--dir", testnet.toString()));
    args.addAll(List.of(more));
    Run run = ascribe(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("not started");
    return JSON.readTree(testnet.resolve("testnet.json").toFile()).path("nodes");
  }

  @Test
  void initLaysOutValidatorsThatNameEachOtherAsPeersWithoutStartingThem() throws IOException {
    JsonNode nodes = init(dir.resolve("net"), "--block-time", "250");
    assertThat(nodes).hasSize(3);
    for (JsonNode node : nodes) {
      assertThat(node.has("pid")).isFalse();
      NodeHome.Contents home = new NodeHome(Path.of(node.path("home").asText())).load();
      Genesis genesis = home.genesis();
      assertThat(genesis.params().blockTimeMs()).isEqualTo(250);
      assertThat(genesis.validators()).hasSize(3);
      // Each validator can bond the inference capability and still pay fees.
      BigInteger bond = genesis.params().ai().jobs().executorBond();
      assertThat(genesis.allocations())
          .filteredOn(a -> a.address().equals(home.validatorKey().address()))
          .singleElement()
          .satisfies(a -> assertThat(a.balance()).isGreaterThan(bond));
      assertThat(home.validatorKey().address().toString()).isEqualTo(node.path("address").asText());
      NodeSettings settings = home.settings();
      assertThat(node.path("rpcUrl").asText()).endsWith(":" + settings.rpc().port());
      assertThat(node.path("p2p").asText()).endsWith(":" + settings.p2p().port());
      List<String> others = new ArrayList<>();
      for (JsonNode other : nodes) {
        if (other != node) {
          others.add(other.path("p2p").asText());
        }
      }
      assertThat(settings.p2p().persistentPeers()).containsExactlyInAnyOrderElementsOf(others);
    }
  }

  @Test
  void aSeedGivesTheSameValidatorsEveryTime() throws IOException {
    JsonNode first = init(dir.resolve("a"), "--seed", "7");
    JsonNode again = init(dir.resolve("b"), "--seed", "7");
    JsonNode other = init(dir.resolve("c"), "--seed", "8");
    for (int i = 0; i < 3; i++) {
      assertThat(again.get(i).path("address")).isEqualTo(first.get(i).path("address"));
      assertThat(other.get(i).path("address")).isNotEqualTo(first.get(i).path("address"));
    }
    assertThat(TestnetCommand.validatorKey(7, 0).address())
        .isNotEqualTo(TestnetCommand.validatorKey(7, 1).address());
  }

  @Test
  void initNeverOverwritesATestnet() throws IOException {
    Path net = dir.resolve("net");
    JsonNode nodes = init(net);
    Run again = ascribe("testnet", "init", "--dir", net.toString());
    assertThat(again.exitCode()).isNotZero();
    assertThat(again.err()).contains("already holds a testnet");
    assertThat(JSON.readTree(net.resolve("testnet.json").toFile()).path("nodes")).isEqualTo(nodes);
  }
}
