package io.ascribe.consensus;

import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A {@link GuardStore} in one small file. A save writes a temporary file, forces it to disk,
 * renames it over the old one and forces the directory, so after a crash the file holds either the
 * old or the new record, never a torn one. A CRC32C guards against a file damaged otherwise: a
 * guard that cannot read its record refuses to start rather than forget what it signed.
 */
public final class FileGuardStore implements GuardStore {
  private static final int MAGIC = 0x61677264; // "agrd"
  private static final int SIZE = 4 + 8 + 4 + 1 + Hash.SIZE + 4;

  private final Path file;

  public FileGuardStore(Path file) {
    this.file = file;
  }

  @Override
  public Optional<LastSigned> load() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length != SIZE) {
        throw new IllegalStateException(
            "signing guard file "
                + file
                + " is damaged ("
                + bytes.length
                + " bytes); restore it"
                + " or, if this validator never signed, delete it");
      }
      ByteBuffer in = ByteBuffer.wrap(bytes);
      CRC32C crc = new CRC32C();
      crc.update(bytes, 0, SIZE - 4);
      if (in.getInt(0) != MAGIC || in.getInt(SIZE - 4) != (int) crc.getValue()) {
        throw new IllegalStateException(
            "signing guard file " + file + " fails its checksum; restore it from a backup");
      }
      in.position(4);
      long height = in.getLong();
      int round = in.getInt();
      Step step = Step.values()[in.get()];
      byte[] digest = new byte[Hash.SIZE];
      in.get(digest);
      return Optional.of(new LastSigned(height, round, step, Hash.wrap(digest)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read signing guard " + file, e);
    }
  }

  @Override
  public void save(LastSigned last) {
    ByteBuffer out = ByteBuffer.allocate(SIZE);
    out.putInt(MAGIC)
        .putLong(last.height())
        .putInt(last.round())
        .put((byte) last.step().ordinal())
        .put(last.digest().toArray());
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, SIZE - 4);
    out.putInt((int) crc.getValue());
    out.flip();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        while (out.hasRemaining()) {
          channel.write(out);
        }
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      // Unchecked on purpose: without a durable record the signature must not be produced, and
      // the caller's signing path has nothing better to do than stop.
      throw new UncheckedIOException("cannot persist signing guard " + file, e);
    }
  }

  /** Makes the rename itself durable; Linux allows fsync on a directory opened for reading. */
  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
