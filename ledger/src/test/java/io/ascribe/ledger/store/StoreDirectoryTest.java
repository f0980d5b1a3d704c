package io.ascribe.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * What an operator reads when RocksDB refuses a directory: which directory, what is wrong and the
 * fix that store names, the same for the chain's and the content store's.
 */
class StoreDirectoryTest {
  private final StoreDirectory content =
      new StoreDirectory("content", Path.of("/var/ascribe/content"), "move it aside");

  @Test
  void aHeldLockNamesTheDirectoryAndTheOtherNode() {
    StoreException e =
        content.explain(
            new RocksDBException(
                "While lock file: /var/ascribe/content/LOCK: Resource temporarily unavailable"));
    assertThat(e)
        .hasMessage(
            "content directory /var/ascribe/content is in use by another ascribe node (its"
                + " RocksDB LOCK is held): stop that node or choose another data directory");
  }

  @Test
  void corruptionByStatusCodeNamesTheStoresFix() {
    StoreException e =
        content.explain(
            new RocksDBException(
                "Corruption: bad magic number",
                new Status(Status.Code.Corruption, Status.SubCode.None, "checksum")));
    assertThat(e)
        .hasMessage(
            "content directory /var/ascribe/content is corrupt (Corruption: bad magic number):"
                + " move it aside")
        .hasCauseInstanceOf(RocksDBException.class);
  }

  @Test
  void aCorruptBlockIsNotMistakenForAHeldLock() {
    assertThat(
            content.explain(
                new RocksDBException(
                    "Corruption: block checksum mismatch: stored = 1, computed = 2",
                    new Status(Status.Code.Corruption, Status.SubCode.None, null))))
        .hasMessageStartingWith("content directory /var/ascribe/content is corrupt (")
        .hasMessageEndingWith("): move it aside");
  }

  @Test
  void anyOtherErrorIsPassedOnWithTheDirectory() {
    assertThat(
            new StoreDirectory("data", Path.of("/d"), "restore it")
                .explain(new RocksDBException("No space left on device")))
        .hasMessage("data directory /d: No space left on device");
  }
}
