package io.ascribe.contracts.settlement;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The contracts under {@code contracts/test} (measured against or used to cause faults, never
 * deployed, so they have no committed artifacts), compiled with the pinned solc by {@code node
 * scripts/compile.js --reference target/reference} once per test JVM.
 */
final class ReferenceContracts {
  private static final Path DIR = Path.of("target", "reference");
  private static boolean compiled;

  private ReferenceContracts() {}

  /** The creation bytecode of the contract {@code name} in {@code test/<name>.sol}. */
  static synchronized String bytecode(String name) throws IOException, InterruptedException {
    if (!compiled) {
      Process solc =
          new ProcessBuilder("node", "scripts/compile.js", "--reference", DIR.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(solc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (solc.waitFor() != 0) {
        throw new IOException("compiling contracts/test failed: " + out);
      }
      compiled = true;
    }
    return new ObjectMapper()
        .readTree(DIR.resolve(name + ".json").toFile())
        .get("bytecode")
        .asText();
  }
}
