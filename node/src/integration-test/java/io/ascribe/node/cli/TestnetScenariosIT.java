package io.ascribe.node.cli;

import static io.ascribe.node.cli.LocalTestnet.assertSameBlocks;
import static io.ascribe.node.cli.LocalTestnet.awaitHeight;
import static io.ascribe.node.cli.LocalTestnet.awaitRpc;
import static io.ascribe.node.cli.LocalTestnet.height;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A testnet of four validator processes started by {@code ascribe testnet up}: SIGKILL one, the
 * other three keep committing; start it again on its home, it catches up by block sync and agrees
 * with the others block for block.
 */
class TestnetScenariosIT {
  @TempDir Path dir;
  @RegisterExtension final LocalTestnets testnets = new LocalTestnets();

  @Test
  void killNineOneOfFourThenRestartIt() throws Exception {
    LocalTestnet testnet = testnets.init(dir, 4, 200, 1).start();
    String rpc0 = testnet.node(0).rpcUrl();
    awaitHeight(List.of(rpc0), 3);

    ProcessHandle victim = testnet.process(3);
    victim.destroyForcibly();
    victim.onExit().join();
    awaitHeight(List.of(rpc0), height(rpc0) + 5);

    testnet.launch(testnet.node(3).home());
    awaitRpc(testnet.node(3).rpcUrl());
    long target = height(rpc0) + 2;
    awaitHeight(testnet.rpcUrls(), target);
    assertSameBlocks(testnet.rpcUrls(), 1, target);
  }
}
