package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.node.client.HeadSubscription;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A testnet of four validator processes started by {@code ascribe testnet up}: SIGKILL one, the
 * other three keep committing; start it again on its home, it catches up by block sync and agrees
 * with the others block for block.
 */
class TestnetScenariosIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;
  private final List<ProcessHandle> restarted = new ArrayList<>();

  private int ascribe(String... args) {
    return Testnets.ascribe(args);
  }

  @AfterEach
  void down() {
    restarted.forEach(ProcessHandle::destroyForcibly);
    ascribe("testnet", "down", "--dir", dir.toString());
  }

  @Test
  void killNineOneOfFourThenRestartIt() throws Exception {
    JsonNode nodes = Testnets.up(dir, 4, 200);
    String rpc0 = nodes.get(0).path("rpcUrl").asText();
    try (HeadSubscription heads = HeadSubscription.open(awaitRpc(rpc0))) {
      heads.awaitHeight(3, WAIT);
    }

    ProcessHandle victim = ProcessHandle.of(nodes.get(3).path("pid").asLong()).orElseThrow();
    victim.destroyForcibly();
    victim.onExit().join();
    long killedAt = height(rpc0);
    try (HeadSubscription heads = HeadSubscription.open(rpc0)) {
      heads.awaitHeight(killedAt + 5, WAIT);
    }

    restarted.add(
        ProcessHandle.of(TestnetCommand.launch(Path.of(nodes.get(3).path("home").asText())))
            .orElseThrow());
    String rpc3 = awaitRpc(nodes.get(3).path("rpcUrl").asText());
    long target = height(rpc0) + 2;
    try (HeadSubscription heads = HeadSubscription.open(rpc3)) {
      heads.awaitHeight(target, WAIT);
    }
    for (long h = 1; h <= target; h++) {
      String hash = blockHash(rpc0, h);
      for (JsonNode node : nodes) {
        assertThat(blockHash(node.path("rpcUrl").asText(), h)).as("block %d", h).isEqualTo(hash);
      }
    }
  }

  private static long height(String rpc) {
    return Testnets.height(rpc);
  }

  private static String blockHash(String rpc, long height) {
    return Testnets.block(rpc, height, false).path("hash").asText();
  }

  private static String awaitRpc(String rpc) {
    return Testnets.awaitRpc(rpc, WAIT);
  }
}
