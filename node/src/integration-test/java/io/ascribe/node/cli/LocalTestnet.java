package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Quantities;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.config.NodeHome;
import io.ascribe.node.config.NodeSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A testnet of validator processes for scenario tests, run by the program's own commands: {@code
 * ascribe testnet init} lays it out, a test may change a node's settings, {@code ascribe testnet
 * up} starts it, and {@link #close} stops it with {@code ascribe testnet down} together with any
 * node the test launched itself (through the same launcher). Nodes are read over JSON-RPC only, as
 * an operator would read them.
 */
final class LocalTestnet implements AutoCloseable {
  /** How long any one awaited condition may take before the test fails. */
  static final Duration WAIT = Duration.ofSeconds(90);

  /**
   * How often a condition is polled: often enough to see it promptly, seldom enough that the
   * polling does not take the cores the nodes run on.
   */
  private static final Duration POLL_EVERY = Duration.ofMillis(50);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, RpcClient> CLIENTS = new ConcurrentHashMap<>();

  /** A validator as {@code DIR/testnet.json} lists it. */
  record Node(String name, Address address, Path home, String rpcUrl, String p2p) {
    int p2pPort() {
      return Integer.parseInt(p2p.substring(p2p.lastIndexOf(':') + 1));
    }
  }

  private final Path dir;
  private final List<Node> nodes = new ArrayList<>();
  private final List<ProcessHandle> launched = new ArrayList<>();
  private final Map<Integer, ProcessHandle> relaunched = new HashMap<>();

  private LocalTestnet(Path dir) throws IOException {
    this.dir = dir;
    for (JsonNode node : manifest().path("nodes")) {
      nodes.add(
          new Node(
              node.path("name").asText(),
              Address.fromHex(node.path("address").asText()),
              Path.of(node.path("home").asText()),
              node.path("rpcUrl").asText(),
              node.path("p2p").asText()));
    }
  }

  /**
   * Lays out a testnet of seeded validators in {@code dir}, not started; tests get one through
   * {@link LocalTestnets}, which stops it after the test.
   */
  static LocalTestnet init(Path dir, int validators, long blockTimeMs, long seed)
      throws IOException {
    return init(
        dir,
        List.of(
            "--validators",
            String.valueOf(validators),
            "--block-time",
            String.valueOf(blockTimeMs),
            "--seed",
            String.valueOf(seed)));
  }

  /** Lays out a testnet with {@code testnet init}'s own options ({@code --executors}, ...). */
  static LocalTestnet init(Path dir, List<String> layout) throws IOException {
    List<String> args = new ArrayList<>(List.of("testnet", "init", "--dir", dir.toString()));
    args.addAll(layout);
    ascribe(args.toArray(String[]::new));
    return new LocalTestnet(dir);
  }

  /** What {@code testnet up --evm} started beside the validators. */
  record Evm(String rpcUrl, Address token, Address distributor, long relayerPid) {}

  /** The testnet's anvil, contracts and relayer, once started. */
  Evm evm() throws IOException {
    JsonNode evm = manifest().path("evm");
    return new Evm(
        evm.path("rpcUrl").asText(),
        Address.fromHex(evm.path("token").asText()),
        Address.fromHex(evm.path("distributor").asText()),
        evm.path("relayerPid").asLong());
  }

  /** Starts the validators and waits until each answers JSON-RPC. */
  LocalTestnet start() {
    ascribe("testnet", "up", "--dir", dir.toString());
    nodes.forEach(node -> awaitRpc(node.rpcUrl()));
    return this;
  }

  List<Node> nodes() {
    return nodes;
  }

  Node node(int index) {
    return nodes.get(index);
  }

  /** The RPC URLs of every validator. */
  List<String> rpcUrls() {
    return nodes.stream().map(Node::rpcUrl).toList();
  }

  /**
   * A validator's process: the last {@link #relaunch}ed, else as {@code testnet up} recorded it.
   */
  ProcessHandle process(int index) throws IOException {
    ProcessHandle again = relaunched.get(index);
    if (again != null) {
      return again;
    }
    long pid = manifest().path("nodes").get(index).path("pid").asLong();
    return ProcessHandle.of(pid).orElseThrow();
  }

  /** Replaces a validator's persistent peers (before {@link #start}). */
  void setPeers(Node node, List<String> peers) throws IOException {
    NodeHome home = new NodeHome(node.home());
    NodeSettings settings = home.load().settings();
    home.writeSettings(
        new NodeSettings(
            settings.rpc(),
            settings.metrics(),
            new NodeSettings.P2p(settings.p2p().host(), settings.p2p().port(), peers),
            settings.bridge(),
            settings.consensus()));
  }

  /** Runs {@code ascribe run} on a home in a process of its own, stopped by {@link #close}. */
  ProcessHandle launch(Path home) throws IOException {
    ProcessHandle process = ProcessHandle.of(TestnetCommand.launch(home)).orElseThrow();
    launched.add(process);
    return process;
  }

  /**
   * Runs validator {@code index} again on its home in the role {@code testnet.json} gives it
   * (executor or not), after the test stopped it.
   */
  ProcessHandle relaunch(int index) throws IOException {
    JsonNode node = manifest().path("nodes").get(index);
    ProcessHandle process =
        ProcessHandle.of(TestnetCommand.launch(node(index).home(), TestnetCommand.executor(node)))
            .orElseThrow();
    launched.add(process);
    relaunched.put(index, process);
    return process;
  }

  private JsonNode manifest() throws IOException {
    return JSON.readTree(dir.resolve("testnet.json").toFile());
  }

  @Override
  public void close() {
    launched.forEach(ProcessHandle::destroyForcibly);
    launched.forEach(p -> p.onExit().join());
    Main.commandLine().execute("testnet", "down", "--dir", dir.toString());
  }

  /** Runs an {@code ascribe} command in this JVM; it must succeed. */
  static void ascribe(String... args) {
    StringWriter err = new StringWriter();
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute(args)).as("ascribe %s: %s", String.join(" ", args), err).isZero();
  }

  // ---- reading nodes over JSON-RPC ------------------------------------------------------------

  /**
   * A client for a node's RPC URL, one per URL for the whole run, so that polling reuses its
   * connection instead of opening one (and an HTTP client) per call.
   */
  static RpcClient rpc(String url) {
    return CLIENTS.computeIfAbsent(url, RpcClient::new);
  }

  static long height(String rpc) {
    return Quantities.parseLong(rpc(rpc).call("ascribe_blockNumber").asText());
  }

  static JsonNode block(String rpc, long height) {
    return block(rpc, height, false);
  }

  /** Block {@code height}, with its transactions whole when {@code fullTransactions}. */
  static JsonNode block(String rpc, long height, boolean fullTransactions) {
    return rpc(rpc).call("ascribe_getBlockByNumber", Quantities.toHex(height), fullTransactions);
  }

  /** The node ids of the peers a node is connected to now. */
  static Set<Address> peers(String rpc) {
    Set<Address> out = new HashSet<>();
    for (JsonNode peer : rpc(rpc).call("ascribe_peers")) {
      out.add(Address.fromHex(peer.path("nodeId").asText()));
    }
    return out;
  }

  /** Waits until the node's RPC answers (a node process takes a while to open its store). */
  static String awaitRpc(String rpc) {
    await(rpc + " answering", () -> height(rpc), h -> true);
    return rpc;
  }

  /** Waits until every node has committed {@code height}. */
  static void awaitHeight(List<String> rpcs, long height) {
    await(
        "every node at height " + height,
        () -> rpcs.stream().map(LocalTestnet::height).toList(),
        heights -> heights.stream().allMatch(h -> h >= height));
  }

  /**
   * Polls {@code probe} until its value satisfies {@code done} and returns that value; a probe that
   * throws (a node not answering yet) counts as not done. Fails after {@link #WAIT}, naming what it
   * waited for and the last value seen.
   */
  static <T> T await(String what, Supplier<T> probe, Predicate<T> done) {
    return await(what, WAIT, probe, done);
  }

  static <T> T await(String what, Duration timeout, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object last = null;
    while (true) {
      try {
        T value = probe.get();
        if (done.test(value)) {
          return value;
        }
        last = value;
      } catch (RuntimeException notYet) {
        last = notYet;
      }
      assertThat(System.nanoTime() - deadline)
          .as("waited %s for %s; last seen: %s", timeout, what, last)
          .isNegative();
      LockSupport.parkNanos(POLL_EVERY.toNanos());
    }
  }

  /**
   * Asserts that the nodes hold the same block at each height of {@code from..to}: the same hash,
   * and so the same state root and transactions.
   */
  static void assertSameBlocks(List<String> rpcs, long from, long to) {
    for (long h = from; h <= to; h++) {
      JsonNode reference = block(rpcs.get(0), h);
      assertThat(reference.isNull()).as("%s has block %d", rpcs.get(0), h).isFalse();
      for (String rpc : rpcs.subList(1, rpcs.size())) {
        JsonNode other = block(rpc, h);
        assertThat(other.path("hash").asText())
            .as("block %d on %s and %s", h, rpc, rpcs.get(0))
            .isEqualTo(reference.path("hash").asText());
        assertThat(other.path("stateRoot").asText())
            .as("state root %d on %s", h, rpc)
            .isEqualTo(reference.path("stateRoot").asText());
      }
    }
  }
}
