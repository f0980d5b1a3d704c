package io.ascribe.contracts.settlement;

import io.ascribe.contracts.generated.OpenBridge;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Reports OpenBridge deposits once they have {@code confirmations} confirmations (the deposit's
 * block and the blocks on top of it), each once, in nonce order, across restarts.
 *
 * <p>Each {@link #poll()} scans the blocks from after the last scanned one up to the newest block
 * with enough confirmations, and remembers (in a small file, replaced atomically) that block's
 * number and hash and the next expected deposit nonce. A reorg shallower than {@code confirmations}
 * only touches blocks not yet scanned, so a deposit it removes is never reported and one it moves
 * is reported where it ends up. A deeper reorg, one that replaces a block already scanned, is
 * detected from the remembered hash: {@link DeepReorgException}, and nothing more is reported until
 * an operator looks (reported deposits cannot be taken back).
 *
 * <p>{@link #poll()} writes the file before it returns the deposits, so a crash between the two
 * loses the report rather than repeating it. {@link #poll(Consumer)} hands each range's deposits to
 * a sink before the file moves past them, so a sink that stores them durably never loses one: after
 * a crash the range is scanned and handed over again. Whoever credits deposits on Ascribe does so
 * by nonce, which makes a repeated report harmless.
 */
public final class DepositWatcher {
  private static final String DEPOSIT_TOPIC = EventEncoder.encode(OpenBridge.DEPOSIT_EVENT);

  /** Blocks per eth_getLogs request by default, which public RPC providers accept. */
  public static final int DEFAULT_MAX_RANGE = 2_000;

  private final Web3j web3j;
  private final Address bridge;
  private final int confirmations;
  private final Path stateFile;
  private final int maxRange;
  private State state;

  /** Where the scan stands: blocks up to {@code scannedThrough} (hash {@code scannedHash}) done. */
  record State(long scannedThrough, Hash scannedHash, BigInteger nextNonce) {}

  /** A block this watcher already scanned is no longer on the chain. */
  public static final class DeepReorgException extends IllegalStateException {
    DeepReorgException(String message) {
      super(message);
    }
  }

  /**
   * @param fromBlock the first block to scan (the bridge's deployment block) when {@code stateFile}
   *     does not exist yet
   */
  public DepositWatcher(
      Web3j web3j, Address bridge, int confirmations, long fromBlock, Path stateFile) {
    this(web3j, bridge, confirmations, fromBlock, stateFile, DEFAULT_MAX_RANGE);
  }

  /**
   * @param maxRange the most blocks one eth_getLogs request covers
   */
  public DepositWatcher(
      Web3j web3j,
      Address bridge,
      int confirmations,
      long fromBlock,
      Path stateFile,
      int maxRange) {
    if (confirmations < 1) {
      throw new IllegalArgumentException("confirmations must be at least 1");
    }
    if (maxRange < 1) {
      throw new IllegalArgumentException("maxRange must be at least 1");
    }
    this.maxRange = maxRange;
    this.web3j = web3j;
    this.bridge = bridge;
    this.confirmations = confirmations;
    this.stateFile = stateFile;
    this.state =
        Files.exists(stateFile) ? load(stateFile) : new State(fromBlock - 1, null, BigInteger.ZERO);
  }

  /** The nonce of the next deposit to report. */
  public BigInteger nextNonce() {
    return state.nextNonce();
  }

  /** The deposits that reached {@code confirmations} since the last poll, in nonce order. */
  public List<BridgeDeposit> poll() {
    List<BridgeDeposit> deposits = new ArrayList<>();
    poll(deposits::addAll);
    return List.copyOf(deposits);
  }

  /**
   * Hands {@code sink} the deposits that reached {@code confirmations} since the last poll, in
   * nonce order, one scanned range at a time, each before the state file records the range as
   * scanned. If the sink throws, the range stays unscanned and the next poll hands it over again.
   */
  public synchronized void poll(Consumer<List<BridgeDeposit>> sink) {
    try {
      scan(sink);
    } catch (IOException e) {
      throw new UncheckedIOException("EVM JSON-RPC request failed: " + e.getMessage(), e);
    }
  }

  private void scan(Consumer<List<BridgeDeposit>> sink) throws IOException {
    long head = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
    checkStillCanonical(head);
    long safe = head - confirmations + 1;
    // In ranges of at most maxRange blocks, which public RPC providers accept for eth_getLogs;
    // the state is saved after each, so a long catch-up that fails part way keeps its progress.
    while (state.scannedThrough() < safe) {
      long from = state.scannedThrough() + 1;
      long to = Math.min(safe, from + maxRange - 1);
      if (!scanRange(from, to, sink)) {
        break; // the chain changed under us; the next poll rescans
      }
    }
  }

  /**
   * Scans blocks {@code from..to}, hands the deposits to {@code sink}, then saves the new state;
   * false when the chain changed during the scan (nothing handed over, nothing saved).
   */
  private boolean scanRange(long from, long to, Consumer<List<BridgeDeposit>> sink)
      throws IOException {
    EthFilter filter =
        new EthFilter(
            DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
            DefaultBlockParameter.valueOf(BigInteger.valueOf(to)),
            bridge.toString());
    filter.addSingleTopic(DEPOSIT_TOPIC);
    EthLog response = web3j.ethGetLogs(filter).send();
    if (response.hasError()) {
      throw new IOException("eth_getLogs failed: " + response.getError().getMessage());
    }
    List<Log> logs = new ArrayList<>();
    for (EthLog.LogResult<?> result : response.getLogs()) {
      Log log = (Log) result.get();
      if (!log.isRemoved()) {
        logs.add(log);
      }
    }
    logs.sort(
        Comparator.comparing(Log::getBlockNumber)
            .thenComparing(Log::getTransactionIndex)
            .thenComparing(Log::getLogIndex));
    EthBlock.Block last = block(to);
    if (last == null) {
      return false;
    }
    BigInteger next = state.nextNonce();
    List<BridgeDeposit> deposits = new ArrayList<>();
    for (Log log : logs) {
      EthBlock.Block block = block(log.getBlockNumber().longValueExact());
      if (block == null || !block.getHash().equalsIgnoreCase(log.getBlockHash())) {
        return false;
      }
      OpenBridge.DepositEventResponse event = OpenBridge.getDepositEventFromLog(log);
      if (event.nonce.compareTo(next) < 0) {
        continue; // reported before (a rescan after a restart)
      }
      if (!event.nonce.equals(next)) {
        throw new IllegalStateException(
            "deposit nonce " + event.nonce + " follows " + next + ": a deposit is missing");
      }
      deposits.add(
          new BridgeDeposit(
              event.nonce,
              Address.fromHex(event.from),
              Address.fromHex(event.ascribeRecipient),
              event.amount,
              log.getBlockNumber().longValueExact(),
              Hash.fromHex(log.getBlockHash()),
              Hash.fromHex(log.getTransactionHash()),
              log.getLogIndex().longValueExact()));
      next = next.add(BigInteger.ONE);
    }
    if (!deposits.isEmpty()) {
      sink.accept(List.copyOf(deposits));
    }
    State scanned = new State(to, Hash.fromHex(last.getHash()), next);
    save(stateFile, scanned);
    state = scanned;
    return true;
  }

  private void checkStillCanonical(long head) throws IOException {
    if (state.scannedHash() == null) {
      return;
    }
    long scanned = state.scannedThrough();
    EthBlock.Block block = scanned > head ? null : block(scanned);
    if (block == null || !Hash.fromHex(block.getHash()).equals(state.scannedHash())) {
      throw new DeepReorgException(
          "block "
              + scanned
              + " ("
              + state.scannedHash()
              + "), scanned with "
              + confirmations
              + " confirmations, is no longer on the chain; the reorg was deeper than the"
              + " confirmations, and deposits up to nonce "
              + state.nextNonce().subtract(BigInteger.ONE)
              + " may have been reported from it");
    }
  }

  private EthBlock.Block block(long number) throws IOException {
    return web3j
        .ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false)
        .send()
        .getBlock();
  }

  private static State load(Path file) {
    Properties p = new Properties();
    try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read deposit watcher state " + file, e);
    }
    String hash = p.getProperty("scannedHash", "");
    return new State(
        Long.parseLong(p.getProperty("scannedThrough")),
        hash.isEmpty() ? null : Hash.fromHex(hash),
        new BigInteger(p.getProperty("nextNonce")));
  }

  private static void save(Path file, State state) {
    StringBuilder text = new StringBuilder("# OpenBridge deposit watcher\n");
    text.append("scannedThrough=").append(state.scannedThrough()).append('\n');
    text.append("scannedHash=")
        .append(state.scannedHash() == null ? "" : state.scannedHash().toHex())
        .append('\n');
    text.append("nextNonce=").append(state.nextNonce()).append('\n');
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try (var channel =
          java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write deposit watcher state " + file, e);
    }
  }
}
