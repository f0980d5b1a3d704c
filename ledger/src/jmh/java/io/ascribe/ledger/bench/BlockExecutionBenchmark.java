/*
 * Run from the repository root (see README.md, Benchmarks):
 *
 *   scripts/jmh.sh ledger -f 1 -wi 3 -i 5 BlockExecutionBenchmark
 */
package io.ascribe.ledger.bench;

import com.google.protobuf.ByteString;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.exec.ExecutedBlock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full block on a RocksDB ledger in a temp directory: {@code txs} transfers from {@code
 * senders} funded accounts (the shape {@code ascribe load} sends: each sender's nonces in turn, to
 * random new recipients, at the minimum fee). Transactions are signed in the trial setup and
 * decoded from their bytes with the sender recovered, as the RPC and mempool hand them to the
 * producer, so signature recovery is not measured.
 *
 * <ul>
 *   <li>{@link #propose}: execution, state root, tx root and header, without commit; the head does
 *       not move, so the same block is proposed again every invocation.
 *   <li>{@link #proposeAndCommit}: propose, then the synced RocksDB commit, as the block producer
 *       does. A commit moves the head, after which the block's nonces are used, so every invocation
 *       gets a fresh ledger at genesis in a new temp directory from a {@code Level.Invocation}
 *       setup (not timed; JMH's caveats on that level do not bite at tens of milliseconds per
 *       operation).
 *   <li>{@link #commit}: the commit alone, of a block proposed in the same invocation setup.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class BlockExecutionBenchmark {
  static final long CHAIN_ID = 4242;
  static final BigInteger MIN_FEE = BigInteger.TEN.pow(12);
  static final BigInteger MIN_STAKE = Amount.ONE_OPEN.multiply(BigInteger.valueOf(1000));

  /** The chain's genesis and one block's worth of signed, sender-recovered transfers. */
  @State(Scope.Benchmark)
  public static class Workload {
    @Param({"10000"})
    int txs;

    @Param({"200"})
    int senders;

    PrivateKey validator;
    Genesis genesis;
    List<SignedTransaction> block;

    @Setup(Level.Trial)
    public void setUp() {
      // The ledger logs each chain it opens at INFO, which the invocation setups do often.
      ((ch.qos.logback.classic.Logger)
              org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
          .setLevel(ch.qos.logback.classic.Level.WARN);
      SplittableRandom random = new SplittableRandom(7);
      validator = key(random);
      List<PrivateKey> keys = new ArrayList<>();
      List<Genesis.Allocation> allocations = new ArrayList<>();
      for (int i = 0; i < senders; i++) {
        PrivateKey sender = key(random);
        keys.add(sender);
        allocations.add(new Genesis.Allocation(sender.address(), Amount.ONE_OPEN));
      }
      genesis =
          new Genesis(
              CHAIN_ID,
              Instant.parse("2026-01-01T00:00:00Z"),
              List.of(new Genesis.GenesisValidator(validator.address(), MIN_STAKE)),
              allocations,
              new ProtocolParams(
                  1000,
                  100,
                  2,
                  MIN_STAKE,
                  MIN_FEE,
                  txs,
                  new ProtocolParams.FeeSplit(2000, 8000),
                  1000,
                  DevnetGenesis.ai()));
      block = new ArrayList<>(txs);
      for (int i = 0; i < txs; i++) {
        byte[] to = new byte[Address.SIZE];
        random.nextBytes(to);
        SignedTransaction signed =
            SignedTransaction.sign(
                TxBodies.transfer(
                    CHAIN_ID,
                    i / senders,
                    MIN_FEE,
                    Address.wrap(to),
                    BigInteger.valueOf(1 + random.nextInt(1000))),
                keys.get(i % senders));
        // As the RPC does: decode the bytes received, recover (and cache) the sender.
        SignedTransaction received = SignedTransaction.decode(signed.encoded());
        received.sender();
        block.add(received);
      }
    }

    private static PrivateKey key(SplittableRandom random) {
      byte[] raw = new byte[32];
      random.nextBytes(raw);
      raw[0] = 0x11; // well inside the curve order
      return PrivateKey.fromBytes(raw);
    }

    ExecutedBlock propose(Ledger ledger) {
      return ledger.propose(block, ledger.headHeader().getTimeMs() + 1000, validator.address());
    }

    void check(ExecutedBlock executed) {
      if (executed.receipts().size() != txs || !executed.rejected().isEmpty()) {
        throw new IllegalStateException(
            "expected "
                + txs
                + " included transfers, got "
                + executed.receipts().size()
                + " ("
                + executed.rejected().size()
                + " rejected"
                + (executed.rejected().isEmpty()
                    ? ""
                    : ", first: " + executed.rejected().get(0).reason())
                + ")");
      }
    }
  }

  /** A ledger at genesis in a temp directory, kept for the whole trial. */
  @State(Scope.Benchmark)
  public static class OpenLedger {
    Path dir;
    Ledger ledger;

    @Setup(Level.Trial)
    public void setUp(Workload workload) throws IOException {
      dir = Files.createTempDirectory("ascribe-bench");
      ledger = Ledger.open(dir, workload.genesis);
      workload.check(workload.propose(ledger));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      ledger.close();
      delete(dir);
    }
  }

  /** A ledger at genesis in a new temp directory for every invocation. */
  @State(Scope.Benchmark)
  public static class FreshLedger {
    Path dir;
    Ledger ledger;

    @Setup(Level.Invocation)
    public void setUp(Workload workload) throws IOException {
      dir = Files.createTempDirectory("ascribe-bench");
      ledger = Ledger.open(dir, workload.genesis);
    }

    @TearDown(Level.Invocation)
    public void tearDown() {
      ledger.close();
      delete(dir);
    }
  }

  /** A fresh ledger (as {@link FreshLedger}) with the block already proposed on it. */
  @State(Scope.Benchmark)
  public static class Proposed {
    Path dir;
    Ledger ledger;
    ExecutedBlock block;

    @Setup(Level.Invocation)
    public void setUp(Workload workload) throws IOException {
      dir = Files.createTempDirectory("ascribe-bench");
      ledger = Ledger.open(dir, workload.genesis);
      block = workload.propose(ledger);
    }

    @TearDown(Level.Invocation)
    public void tearDown() {
      ledger.close();
      delete(dir);
    }
  }

  @Benchmark
  public ExecutedBlock propose(Workload workload, OpenLedger state) {
    return workload.propose(state.ledger);
  }

  @Benchmark
  public ExecutedBlock proposeAndCommit(Workload workload, FreshLedger state) {
    ExecutedBlock executed = workload.propose(state.ledger);
    state.ledger.commit(executed, commitOf(executed));
    return executed;
  }

  @Benchmark
  public ExecutedBlock commit(Proposed state) {
    state.ledger.commit(state.block, commitOf(state.block));
    return state.block;
  }

  /** An unsigned commit: the ledger stores it but does not check it. */
  private static Commit commitOf(ExecutedBlock block) {
    return Commit.newBuilder()
        .setHeight(block.height())
        .setBlockHash(ByteString.copyFrom(block.hash().toArray()))
        .build();
  }

  static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
