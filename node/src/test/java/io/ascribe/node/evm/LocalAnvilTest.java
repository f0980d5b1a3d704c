package io.ascribe.node.evm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code devnet --evm} says when the anvil it was told to use is not there. */
class LocalAnvilTest {
  @Test
  void aNamedBinaryThatIsMissingIsRefusedWithTheFix(@TempDir Path dir) {
    Path missing = dir.resolve("anvil");
    String before = System.getProperty("ascribe.anvil");
    System.setProperty("ascribe.anvil", missing.toString());
    try {
      // Only when the environment names none does the property count.
      org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("ASCRIBE_ANVIL") == null);
      assertThatThrownBy(() -> LocalAnvil.start(0, 0))
          .isInstanceOf(LocalAnvil.AnvilException.class)
          .hasMessageContaining(missing + ", which is not an executable file")
          .hasMessageContaining("npm ci");
    } finally {
      if (before == null) {
        System.clearProperty("ascribe.anvil");
      } else {
        System.setProperty("ascribe.anvil", before);
      }
    }
  }
}
