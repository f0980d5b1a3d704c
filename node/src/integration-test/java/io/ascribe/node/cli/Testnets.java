package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.types.Quantities;
import io.ascribe.node.client.RpcClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;

/** What testnet scenario tests share: the CLI run quietly, and a node read over JSON-RPC. */
final class Testnets {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Testnets() {}

  /** Runs {@code ascribe ARGS} in this JVM with its output discarded; returns the exit code. */
  static int ascribe(String... args) {
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(new StringWriter()));
    return cli.execute(args);
  }

  /**
   * Starts a testnet of {@code validators} processes in {@code dir} with {@code blockTimeMs} blocks
   * and returns its nodes as {@code testnet.json} lists them (RPC URL, p2p address, home, pid).
   */
  static JsonNode up(Path dir, int validators, long blockTimeMs) throws IOException {
    assertThat(
            ascribe(
                "testnet",
                "up",
                "--validators",
                String.valueOf(validators),
                "--dir",
                dir.toString(),
                "--block-time",
                String.valueOf(blockTimeMs)))
        .isZero();
    return JSON.readTree(dir.resolve("testnet.json").toFile()).path("nodes");
  }

  static long height(String rpc) {
    return Quantities.parseLong(new RpcClient(rpc).call("ascribe_blockNumber").asText());
  }

  static JsonNode block(String rpc, long height, boolean fullTransactions) {
    return new RpcClient(rpc)
        .call("ascribe_getBlockByNumber", Quantities.toHex(height), fullTransactions);
  }

  /** Waits (on connection refusals, not on a clock) until the node's RPC answers. */
  static String awaitRpc(String rpc, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        height(rpc);
        return rpc;
      } catch (RuntimeException notYet) {
        assertThat(System.nanoTime()).as("%s answers within %s", rpc, wait).isLessThan(deadline);
        Thread.onSpinWait();
      }
    }
  }
}
