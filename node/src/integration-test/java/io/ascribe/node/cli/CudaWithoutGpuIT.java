package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.inference.Torch;
import io.ascribe.node.config.NodeHome;
import io.ascribe.node.config.NodeSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --device cuda} on a machine without a GPU (this one, and CI): {@code ascribe run --home
 * DIR --executor} and {@code ascribe devnet --executor} exit 1 with one line naming the fix, no
 * stack trace, before anything starts: the home is byte for byte as {@code ascribe init} left it,
 * no work directory is made, the node's ports are free, and the devnet makes no data directory.
 */
class CudaWithoutGpuIT {
  private static final String REFUSAL = "--device cuda: libtorch sees no CUDA GPU on this machine";
  private static final String FIX = "Run with --device cpu";

  @TempDir Path dir;

  @BeforeEach
  void noGpuHere() {
    // The refusal is what this test is about; on a machine with a GPU it would rightly start.
    assertThat(Torch.engine().getGpuCount()).as("GPUs libtorch sees on this machine").isZero();
  }

  @Test
  void runRefusesCudaAndLeavesTheHomeAsItWas() throws IOException {
    Path home = dir.resolve("home");
    CliRun.of("init", "--home", home.toString()).succeeds();
    int rpcPort = TestnetCommand.freePort();
    int p2pPort = TestnetCommand.freePort();
    new NodeHome(home)
        .writeSettings(
            new NodeSettings(
                new NodeSettings.Rpc("127.0.0.1", rpcPort),
                new NodeSettings.Metrics("127.0.0.1", -1),
                new NodeSettings.P2p("127.0.0.1", p2pPort, List.of())));
    Map<String, String> before = snapshot(home);
    Path workDir = dir.resolve("work");

    CliRun run =
        CliRun.of(
            "run",
            "--home",
            home.toString(),
            "--executor",
            "--device",
            "cuda",
            "--work-dir",
            workDir.toString());

    assertThat(run.failsWith(REFUSAL)).as("no banner: the node never started").isEmpty();
    assertThat(run.err()).as("the fix").contains(FIX, "-Pcuda");
    assertThat(snapshot(home)).as("the home, file by file").isEqualTo(before);
    assertThat(new NodeHome(home).dataDir()).isEmptyDirectory();
    assertThat(workDir).doesNotExist();
    for (int port : List.of(rpcPort, p2pPort)) {
      assertThatCode(() -> new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close())
          .as("port %d is free: nothing listens on it", port)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void devnetRefusesCudaBeforeMakingItsDataDir() {
    Path data = dir.resolve("devnet-data");

    CliRun devnet =
        CliRun.of(
            "devnet",
            "--data-dir",
            data.toString(),
            "--rpc-port",
            "0",
            "--metrics-port",
            "-1",
            "--executor",
            "--device",
            "cuda");

    assertThat(devnet.failsWith(REFUSAL)).as("no banner: the devnet never started").isEmpty();
    assertThat(devnet.err()).as("the fix").contains(FIX, "-Pcuda");
    assertThat(data).doesNotExist();
  }

  /** Every file and directory under {@code root}, relative, with the keccak256 of its bytes. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      paths.forEach(
          p -> {
            String name = root.relativize(p).toString();
            try {
              out.put(
                  name, Files.isDirectory(p) ? "dir" : Keccak.hash(Files.readAllBytes(p)).toHex());
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    return out;
  }
}
