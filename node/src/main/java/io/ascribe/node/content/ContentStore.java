package io.ascribe.node.content;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.store.StoreDirectory;
import io.ascribe.ledger.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * The node's blobs, addressed by their keccak256 hash: the canonical bytes of contribution records
 * (the {@code content_hash} the ledger records) and other content such as adapters. They live off
 * the ledger in a RocksDB of their own ({@code DATA/content}, column family {@code blobs}) whose
 * large values go to blob files, so that they are not rewritten by every compaction. A blob is
 * stored under the hash of its bytes and nothing else, so a store never holds bytes that do not
 * match their key; each write is synced, so a blob acknowledged to a client survives a crash.
 */
public final class ContentStore implements AutoCloseable {
  /** The largest blob the node stores for one hash. */
  public static final int MAX_BLOB_BYTES = 16 * 1024 * 1024;

  private static final byte[] NO_BYTES = new byte[0];

  private static final String FAMILY = "blobs";

  /** Values from this size on go to blob files rather than the LSM tree. */
  private static final long MIN_BLOB_FILE_VALUE = 4096;

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final StoreDirectory directory;
  private final DBOptions options;
  private final ColumnFamilyOptions blobOptions;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final ColumnFamilyHandle blobs;
  private final WriteOptions syncWrites = new WriteOptions().setSync(true);

  private ContentStore(
      Path dir,
      DBOptions options,
      ColumnFamilyOptions blobOptions,
      RocksDB db,
      List<ColumnFamilyHandle> handles) {
    this.dir = dir;
    this.directory = directory(dir);
    this.options = options;
    this.blobOptions = blobOptions;
    this.db = db;
    this.handles = handles;
    this.blobs = handles.get(1);
  }

  /**
   * Opens (or creates) the store in {@code dir}.
   *
   * @throws StoreException when another process holds the directory or its files are corrupt
   */
  public static ContentStore open(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StoreException("cannot create content directory " + dir + ": " + e.getMessage(), e);
    }
    DBOptions options =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setParanoidChecks(true);
    ColumnFamilyOptions blobOptions =
        new ColumnFamilyOptions().setEnableBlobFiles(true).setMinBlobSize(MIN_BLOB_FILE_VALUE);
    List<ColumnFamilyDescriptor> descriptors =
        List.of(
            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
            new ColumnFamilyDescriptor(FAMILY.getBytes(StandardCharsets.UTF_8), blobOptions));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles);
      return new ContentStore(dir, options, blobOptions, db, handles);
    } catch (RocksDBException e) {
      blobOptions.close();
      options.close();
      throw directory(dir).explain(e);
    }
  }

  private static StoreDirectory directory(Path dir) {
    return new StoreDirectory(
        "content", dir, "move it aside; the node fetches what it needs again from its peers");
  }

  public Path dir() {
    return dir;
  }

  /**
   * Stores {@code bytes} under their keccak256 hash, synced to disk before it returns; storing the
   * same bytes again changes nothing.
   *
   * @return the hash the bytes are stored under
   * @throws ContentTooLargeException over {@link #MAX_BLOB_BYTES}
   */
  public Hash put(byte[] bytes) {
    requireSize(bytes.length);
    Hash hash = Keccak.hash(bytes);
    write(hash, bytes);
    return hash;
  }

  /**
   * Stores {@code bytes} if they hash to {@code expected}, as {@link #put} does.
   *
   * @throws ContentMismatchException when they hash to something else; nothing is stored
   * @throws ContentTooLargeException over {@link #MAX_BLOB_BYTES}
   */
  public void putVerified(Hash expected, byte[] bytes) {
    requireSize(bytes.length);
    Hash actual = Keccak.hash(bytes);
    if (!actual.equals(expected)) {
      throw new ContentMismatchException(expected, actual);
    }
    write(actual, bytes);
  }

  /** The bytes stored under {@code hash}, if this node holds them. */
  public Optional<byte[]> get(Hash hash) {
    try {
      return Optional.ofNullable(db.get(blobs, hash.toArray()));
    } catch (RocksDBException e) {
      throw directory.explain(e);
    }
  }

  public boolean has(Hash hash) {
    byte[] key = hash.toArray();
    // The bloom filter answers most misses without reading a value; a hit is confirmed with a
    // zero-length buffer, so the blob is not copied just to learn that it is there.
    try {
      return db.keyMayExist(blobs, key, null) && db.get(blobs, key, NO_BYTES) != RocksDB.NOT_FOUND;
    } catch (RocksDBException e) {
      throw directory.explain(e);
    }
  }

  private void write(Hash hash, byte[] bytes) {
    if (has(hash)) {
      // Content-addressed: the same key always holds the same bytes, so there is nothing to do.
      return;
    }
    try {
      db.put(blobs, syncWrites, hash.toArray(), bytes);
    } catch (RocksDBException e) {
      throw directory.explain(e);
    }
  }

  private static void requireSize(long size) {
    if (size > MAX_BLOB_BYTES) {
      throw new ContentTooLargeException(size);
    }
  }

  @Override
  public void close() {
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    syncWrites.close();
    blobOptions.close();
    options.close();
  }
}
