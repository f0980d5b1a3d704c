package io.ascribe.node.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which anvil {@code devnet --evm} runs, and what it says when the one it was told to use is not
 * there.
 */
class LocalAnvilTest {
  @Test
  void aNamedBinaryThatIsMissingIsRefusedWithTheFix(@TempDir Path dir) {
    Path missing = dir.resolve("anvil");

    assertThatThrownBy(() -> LocalAnvil.binary(Optional.of(missing.toString())))
        .isInstanceOf(LocalAnvil.AnvilException.class)
        .hasMessageContaining(missing + ", which is not an executable file")
        .hasMessageContaining("npm ci");
  }

  @Test
  void aNamedExecutableIsTheOneRun(@TempDir Path dir) throws IOException {
    Path anvil = Files.createFile(dir.resolve("anvil"));
    assertThat(anvil.toFile().setExecutable(true)).isTrue();

    assertThat(LocalAnvil.binary(Optional.of(anvil.toString()))).isEqualTo(anvil);
  }
}
