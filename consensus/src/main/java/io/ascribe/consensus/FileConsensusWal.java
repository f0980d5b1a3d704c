package io.ascribe.consensus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConsensusWal} in one append-only file of records: a 4-byte length, a 4-byte CRC32C of
 * the payload, and the payload ({@link EventCodec}). A crash can leave a torn last record; opening
 * the log truncates everything from the first record that is short or fails its checksum, with one
 * log line, because events after a torn one were never acknowledged by a sync.
 */
public final class FileConsensusWal implements ConsensusWal {
  private static final Logger log = LoggerFactory.getLogger(FileConsensusWal.class);
  private static final int HEADER = 8;
  private static final int MAX_RECORD = 1 << 16;

  private final Path file;
  private final FileChannel channel;
  private final List<Event> events = new ArrayList<>();

  private FileConsensusWal(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Opens (or creates) the log, reading its records and cutting off a damaged tail. */
  public static FileConsensusWal open(Path file) {
    try {
      FileChannel channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileConsensusWal wal = new FileConsensusWal(file, channel);
      wal.load();
      return wal;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open consensus WAL " + file, e);
    }
  }

  private void load() throws IOException {
    long size = channel.size();
    long position = 0;
    String damage = null;
    while (position < size) {
      if (size - position < HEADER) {
        damage = "a torn record header";
        break;
      }
      ByteBuffer header = ByteBuffer.allocate(HEADER);
      readFully(header, position);
      int length = header.getInt(0);
      int crc = header.getInt(4);
      if (length <= 0 || length > MAX_RECORD || size - position - HEADER < length) {
        damage = "a torn or oversized record";
        break;
      }
      ByteBuffer payload = ByteBuffer.allocate(length);
      readFully(payload, position + HEADER);
      CRC32C check = new CRC32C();
      check.update(payload.array());
      if ((int) check.getValue() != crc) {
        damage = "a record that fails its checksum";
        break;
      }
      try {
        events.add(EventCodec.decode(payload.array()));
      } catch (IllegalArgumentException e) {
        damage = "an undecodable record";
        break;
      }
      position += HEADER + length;
    }
    if (damage != null) {
      log.warn(
          "Consensus WAL {}: truncated {} bytes at offset {} ({}), kept {} records",
          file,
          size - position,
          position,
          damage,
          events.size());
      channel.truncate(position);
      channel.force(true);
    }
    channel.position(position);
  }

  private void readFully(ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("unexpected end of " + file);
      }
    }
  }

  @Override
  public synchronized void append(Event event) {
    byte[] payload = EventCodec.encode(event);
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer record = ByteBuffer.allocate(HEADER + payload.length);
    record.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
    try {
      while (record.hasRemaining()) {
        channel.write(record);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to consensus WAL " + file, e);
    }
    events.add(event);
  }

  @Override
  public synchronized void sync() {
    try {
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sync consensus WAL " + file, e);
    }
  }

  @Override
  public synchronized void startHeight(long height) {
    try {
      channel.truncate(0);
      channel.position(0);
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reset consensus WAL " + file, e);
    }
    events.clear();
  }

  @Override
  public synchronized List<Event> replay() {
    return List.copyOf(events);
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close consensus WAL " + file, e);
    }
  }
}
