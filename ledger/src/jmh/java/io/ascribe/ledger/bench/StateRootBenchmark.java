/*
 * Run from the repository root (see README.md, Benchmarks):
 *
 *   scripts/jmh.sh ledger -f 1 -wi 3 -i 5 StateRootBenchmark
 */
package io.ascribe.ledger.bench;

import io.ascribe.core.types.Hash;
import io.ascribe.ledger.state.StateTree;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The state-root update of one block: a {@link StateTree} holding {@code accounts} leaves gets a
 * block's {@code touched} updates (half to existing keys, half new keys) and hashes to a new root,
 * as {@code Ledger.propose} does after executing a block. Keys and value hashes come from seeded
 * randomness, so every run measures the same trees. The tree is immutable, so each invocation
 * starts from the same committed tree.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// A million-leaf tree takes a few hundred MiB; fix the heap so runs compare across machines.
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@State(Scope.Benchmark)
public class StateRootBenchmark {
  /** Leaves in the committed tree. */
  @Param({"10000", "1000000"})
  int accounts;

  /** Leaves a block sets: half of them already in the tree, half new. */
  @Param({"10000"})
  int touched;

  StateTree tree;
  Map<Hash, Hash> updates;

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    List<Hash> keys = new ArrayList<>(accounts);
    Map<Hash, Hash> initial = new HashMap<>(accounts * 2);
    while (initial.size() < accounts) {
      Hash key = randomHash(random);
      if (initial.put(key, randomHash(random)) == null) {
        keys.add(key);
      }
    }
    tree = StateTree.empty().with(initial);
    updates = new HashMap<>(touched * 2);
    while (updates.size() < touched / 2) {
      updates.put(keys.get(random.nextInt(keys.size())), randomHash(random));
    }
    while (updates.size() < touched) {
      Hash key = randomHash(random);
      if (!initial.containsKey(key)) {
        updates.put(key, randomHash(random));
      }
    }
    if (tree.size() != accounts || tree.with(updates).size() != accounts + touched - touched / 2) {
      throw new IllegalStateException("the tree does not hold the expected leaves");
    }
  }

  private static Hash randomHash(SplittableRandom random) {
    byte[] bytes = new byte[Hash.SIZE];
    random.nextBytes(bytes);
    return Hash.wrap(bytes);
  }

  @Benchmark
  public Hash blockUpdate() {
    return tree.with(updates).root();
  }
}
