package io.ascribe.ledger.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ascribe.core.proto.Account;
import io.ascribe.core.proto.Block;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.Receipt;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Blocks, commits, receipts, accounts, AI objects and the protocol record in RocksDB, one column
 * family each. A block is committed by one synced WriteBatch that also moves the head pointer, so
 * after a crash the store is at the previous block or at this one, never in between.
 */
public final class ChainStore implements AutoCloseable {
  private static final byte[] HEAD = "head".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SYSTEM = "system".getBytes(StandardCharsets.US_ASCII);
  private static final List<String> FAMILIES =
      List.of("accounts", "blocks", "commits", "receipts", "block_hashes", "objects");

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final StoreDirectory directory;
  private final DBOptions options;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final ColumnFamilyHandle meta;
  private final ColumnFamilyHandle accounts;
  private final ColumnFamilyHandle blocks;
  private final ColumnFamilyHandle commits;
  private final ColumnFamilyHandle receipts;
  private final ColumnFamilyHandle blockHashes;
  private final ColumnFamilyHandle objects;
  private final WriteOptions syncWrites = new WriteOptions().setSync(true);

  private ChainStore(Path dir, DBOptions options, RocksDB db, List<ColumnFamilyHandle> handles) {
    this.dir = dir;
    this.directory = directory(dir);
    this.options = options;
    this.db = db;
    this.handles = handles;
    this.meta = handles.get(0);
    this.accounts = handles.get(1);
    this.blocks = handles.get(2);
    this.commits = handles.get(3);
    this.receipts = handles.get(4);
    this.blockHashes = handles.get(5);
    this.objects = handles.get(6);
  }

  /**
   * Opens (or creates) the store in {@code dir}.
   *
   * @throws StoreException when another process holds the directory or its files are corrupt
   */
  public static ChainStore open(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new StoreException("cannot create data directory " + dir + ": " + e.getMessage(), e);
    }
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
    FAMILIES.forEach(
        name -> descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8))));
    DBOptions options =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setParanoidChecks(true);
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles);
      return new ChainStore(dir, options, db, handles);
    } catch (RocksDBException e) {
      options.close();
      throw directory(dir).explain(e);
    }
  }

  private static StoreDirectory directory(Path dir) {
    return new StoreDirectory(
        "data", dir, "restore it from a backup, or move it aside to start the chain again");
  }

  public Path dir() {
    return dir;
  }

  /** The height of the last committed block, empty for a new store. */
  public Optional<Long> headHeight() {
    return get(meta, HEAD).map(bytes -> ByteBuffer.wrap(bytes).getLong());
  }

  public Optional<Block> block(long height) {
    return get(blocks, heightKey(height)).map(bytes -> parse(Block.parser(), bytes, "block"));
  }

  public Optional<Long> heightOf(Hash blockHash) {
    return get(blockHashes, blockHash.toArray()).map(bytes -> ByteBuffer.wrap(bytes).getLong());
  }

  public Optional<Commit> commit(long height) {
    return get(commits, heightKey(height)).map(bytes -> parse(Commit.parser(), bytes, "commit"));
  }

  public Optional<Receipt> receipt(Hash txHash) {
    return get(receipts, txHash.toArray()).map(bytes -> parse(Receipt.parser(), bytes, "receipt"));
  }

  public Optional<byte[]> systemRecord() {
    return get(meta, SYSTEM);
  }

  /** Every stored account; the ledger keeps them in memory beside its state tree. */
  public Map<Address, AccountState> loadAccounts() {
    Map<Address, AccountState> result = new HashMap<>();
    try (RocksIterator it = db.newIterator(accounts)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        Account account = parse(Account.parser(), it.value(), "account");
        result.put(Address.wrap(it.key()), AccountState.fromProto(account));
      }
      it.status();
    } catch (RocksDBException e) {
      throw directory.explain(e);
    }
    return result;
  }

  /**
   * Every stored AI object (state-tree key → encoded {@code LedgerObject}); the ledger decodes and
   * indexes them at start-up.
   */
  public Map<Hash, byte[]> loadObjects() {
    Map<Hash, byte[]> result = new HashMap<>();
    try (RocksIterator it = db.newIterator(objects)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        result.put(Hash.copyOf(it.key()), it.value());
      }
      it.status();
    } catch (RocksDBException e) {
      throw directory.explain(e);
    }
    return result;
  }

  /** Commits a block and everything it changed in one synced, atomic batch. */
  public void write(BlockWrite write) {
    byte[] height = heightKey(write.height());
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(blocks, height, write.block().toByteArray());
      batch.put(commits, height, write.commit().toByteArray());
      batch.put(blockHashes, write.blockHash().toArray(), height);
      for (Receipt receipt : write.receipts()) {
        batch.put(receipts, receipt.getTxHash().toByteArray(), receipt.toByteArray());
      }
      for (Map.Entry<Address, AccountState> e : write.accounts().entrySet()) {
        batch.put(accounts, e.getKey().toArray(), e.getValue().toProto().toByteArray());
      }
      for (Map.Entry<Hash, byte[]> e : write.objects().entrySet()) {
        batch.put(objects, e.getKey().toArray(), e.getValue());
      }
      batch.put(meta, SYSTEM, write.systemRecord());
      batch.put(meta, HEAD, height);
      db.write(syncWrites, batch);
    } catch (RocksDBException e) {
      throw directory.explain(e);
    }
  }

  private Optional<byte[]> get(ColumnFamilyHandle family, byte[] key) {
    try {
      return Optional.ofNullable(db.get(family, key));
    } catch (RocksDBException e) {
      throw directory.explain(e);
    }
  }

  private <T> T parse(com.google.protobuf.Parser<T> parser, byte[] bytes, String what) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException(
          "data directory " + dir + " holds a corrupt " + what + ": restore it from a backup", e);
    }
  }

  private static byte[] heightKey(long height) {
    return ByteBuffer.allocate(8).putLong(height).array();
  }

  @Override
  public void close() {
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    syncWrites.close();
    options.close();
  }
}
