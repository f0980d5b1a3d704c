package io.ascribe.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The committed contracts/build artifacts are what the pinned solc makes of contracts/src. */
class ContractArtifactsIT {
  @Test
  void committedArtifactsMatchTheSources() throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder("node", "scripts/compile.js", "--check")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("build/ matches solc 0.8.28");
  }
}
