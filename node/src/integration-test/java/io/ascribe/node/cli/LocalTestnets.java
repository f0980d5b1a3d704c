package io.ascribe.node.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Lays out {@link LocalTestnet}s for a test and stops each one (and the nodes the test launched
 * beside it) after the test, passed or failed:
 *
 * <pre>{@code @RegisterExtension final LocalTestnets testnets = new LocalTestnets();}</pre>
 */
final class LocalTestnets implements AfterEachCallback {
  private final List<LocalTestnet> made = new ArrayList<>();

  /** See {@link LocalTestnet#init}. */
  LocalTestnet init(Path dir, int validators, long blockTimeMs, long seed) throws IOException {
    LocalTestnet testnet = LocalTestnet.init(dir, validators, blockTimeMs, seed);
    made.add(testnet);
    return testnet;
  }

  /** See {@link LocalTestnet#init(Path, List)}. */
  LocalTestnet init(Path dir, List<String> layout) throws IOException {
    LocalTestnet testnet = LocalTestnet.init(dir, layout);
    made.add(testnet);
    return testnet;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    made.forEach(LocalTestnet::close);
    made.clear();
  }
}
