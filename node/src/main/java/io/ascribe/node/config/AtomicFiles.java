package io.ascribe.node.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a file through a temporary sibling and a rename, so a crash leaves the old file or the new
 * one, never half of one. Every file the node or its CLI writes for users goes through here.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Writes {@code text} to {@code target}, replacing it if it exists.
   *
   * @param ownerOnly give the file mode 0600, for keys
   */
  public static void write(Path target, String text, boolean ownerOnly) throws IOException {
    write(target, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), ownerOnly);
  }

  /** Writes {@code bytes} to {@code target}, replacing it if it exists. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, bytes, false);
  }

  private static void write(Path target, byte[] bytes, boolean ownerOnly) throws IOException {
    Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".tmp-", ".part");
    try {
      if (ownerOnly) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      }
      Files.write(tmp, bytes);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
