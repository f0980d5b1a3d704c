package io.ascribe.ledger.store;

import java.nio.file.Path;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * A directory a node keeps a RocksDB in (the chain's data directory, the content store's) and what
 * an operator does when it is corrupt. It is the one place that turns RocksDB's errors into a
 * {@link StoreException} naming the directory and the fix, so every store says the same thing about
 * a held LOCK or a corrupt file.
 *
 * @param kind what the directory is, as the message names it ({@code "data"}, {@code "content"})
 * @param whenCorrupt what to do with it when its files are corrupt
 */
public record StoreDirectory(String kind, Path dir, String whenCorrupt) {

  /** {@code e} as one operator message: whose LOCK is held, what is corrupt, or what failed. */
  public StoreException explain(RocksDBException e) {
    String detail = String.valueOf(e.getMessage());
    Status.Code code = e.getStatus() == null ? null : e.getStatus().getCode();
    // Corruption first: its texts ("block checksum mismatch") can contain "lock" too.
    if (code == Status.Code.Corruption || detail.contains("orrupt")) {
      return new StoreException(
          kind + " directory " + dir + " is corrupt (" + detail + "): " + whenCorrupt, e);
    }
    // RocksDB reports a held LOCK as an IOError whose text names the lock file.
    if (detail.contains("LOCK") || detail.contains("lock")) {
      return new StoreException(
          kind
              + " directory "
              + dir
              + " is in use by another ascribe node (its RocksDB LOCK is held): stop that node or"
              + " choose another data directory",
          e);
    }
    return new StoreException(kind + " directory " + dir + ": " + detail, e);
  }
}
