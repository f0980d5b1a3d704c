package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.contracts.settlement.Contracts;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.node.config.AtomicFiles;
import io.ascribe.node.config.NodeHome;
import io.ascribe.node.config.NodeSettings;
import io.ascribe.node.evm.LocalAnvil;
import io.ascribe.node.executor.ExecutorSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe testnet init|up|down}: N validators as separate processes on loopback, each with
 * its own home (key, genesis, settings with free ports and every other validator as a persistent
 * peer). {@code DIR/testnet.json} lists each node's RPC URL, p2p address, home and process id; the
 * ten devnet accounts are funded, so the dev keys can send transactions at once. {@code init} lays
 * the testnet out without starting it, for a setup that changes a node's settings first (a test
 * that routes the peers' links through a relay it controls); {@code up} starts it, laying it out
 * first if new. With {@code --seed} the validator keys, and so the proposer order, are the same
 * every run.
 */
@Command(
    name = "testnet",
    description = "Start or stop a local testnet of validator processes.",
    subcommands = {TestnetCommand.Init.class, TestnetCommand.Up.class, TestnetCommand.Down.class})
final class TestnetCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The testnet's directory, which every subcommand names. */
  static final class Dir {
    @Option(
        names = "--dir",
        paramLabel = "DIR",
        required = true,
        description = "Testnet directory.")
    Path dir;

    Path manifest() {
      return dir.resolve("testnet.json");
    }
  }

  /** What a new testnet is made of: shared by {@code init} and {@code up}. */
  static final class Layout {
    @Option(
        names = "--validators",
        defaultValue = "4",
        description = "How many (default: ${DEFAULT-VALUE}).")
    int validators;

    @Option(
        names = "--block-time",
        paramLabel = "MS",
        defaultValue = "1000",
        description = "Block time (default: ${DEFAULT-VALUE}).")
    long blockTimeMs;

    @Option(
        names = "--seed",
        paramLabel = "N",
        description =
            "Derive the validator keys from this number, so the validator set and its proposer"
                + " order are the same every time (default: random keys).")
    Long seed;

    @Option(
        names = "--evm",
        description =
            "Settle on a local anvil: the genesis names the distributor dev account 0 deploys first"
                + " on it, and 'up' starts anvil, deploys the contracts for the validator set and"
                + " starts a relayer ('down' stops them).")
    boolean evm;

    @Option(
        names = "--executors",
        paramLabel = "N",
        defaultValue = "0",
        description =
            "Run the first N validators with --executor (models in each validator's HOME/models)"
                + " (default: ${DEFAULT-VALUE}).")
    int executors;

    @Option(
        names = "--audit-percent",
        paramLabel = "P",
        defaultValue = "" + ExecutorSettings.DEFAULT_AUDIT_PERCENT,
        description =
            "Share of the other executors' inference receipts each executor re-executes"
                + " (default: ${DEFAULT-VALUE}).")
    int auditPercent;

    @Option(
        names = "--epoch-length",
        paramLabel = "BLOCKS",
        description = "Blocks per reward epoch (default: the devnet's, 100).")
    Long epochLength;

    /**
     * The devnet's parameters with this layout's epoch length and verifiers: the devnet asks none
     * (it has one validator), a testnet {@link #TESTNET_VERIFIERS}, or one fewer than its executors
     * when that is less, since a job needs its executor and every verifier to be distinct nodes
     * running AI work.
     */
    ProtocolParams params(ProtocolParams devnet) {
      ProtocolParams params = epochLength != null ? devnet.withEpochLength(epochLength) : devnet;
      int verifiers =
          executors >= 2 ? Math.min(TESTNET_VERIFIERS, executors - 1) : TESTNET_VERIFIERS;
      return params.withAi(params.ai().withJobs(params.ai().jobs().withVerifiers(verifiers)));
    }

    /** Verifiers per job on a testnet with executors enough. */
    static final int TESTNET_VERIFIERS = 2;

    /** Keys, one genesis naming them all, and a home per validator with free ports. */
    ObjectNode create(Path dir) throws IOException {
      if (validators < 1 || validators > 64) {
        throw new UserErrorException("--validators must be 1..64, got " + validators);
      }
      if (executors < 0 || executors > validators) {
        throw new UserErrorException(
            "--executors must be 0.." + validators + " (the validators), got " + executors);
      }
      ExecutorOptions.requireAuditPercent(auditPercent);
      if (epochLength != null && epochLength < 2) {
        throw new UserErrorException("--epoch-length must be at least 2, got " + epochLength);
      }
      SecureRandom random = new SecureRandom();
      List<PrivateKey> keys = new ArrayList<>();
      for (int i = 0; i < validators; i++) {
        keys.add(seed != null ? validatorKey(seed, i) : PrivateKey.generate(random));
      }
      Genesis devnet = DevnetGenesis.create(blockTimeMs);
      List<Genesis.GenesisValidator> set = new ArrayList<>();
      List<Genesis.Allocation> allocations = new ArrayList<>(devnet.allocations());
      // 1,000 OPEN for fees, the inference capability's bond, so that every validator can
      // declare the capability (and take tuning jobs) at once, and as much again for the bond of a
      // receipt challenge, which matches the executor bond.
      BigInteger funds =
          Amount.ONE_OPEN
              .multiply(BigInteger.valueOf(1000))
              .add(devnet.params().ai().jobs().executorBond().multiply(BigInteger.TWO));
      for (PrivateKey key : keys) {
        set.add(new Genesis.GenesisValidator(key.address(), DevnetGenesis.VALIDATOR_STAKE));
        allocations.add(new Genesis.Allocation(key.address(), funds));
      }
      Genesis genesis =
          new Genesis(
              devnet.chainId(),
              Instant.now().truncatedTo(ChronoUnit.SECONDS),
              set,
              allocations,
              params(devnet.params()));
      if (evm) {
        // Dev account 0's first deployment on a fresh anvil, which 'up' makes (ADR 003).
        genesis = genesis.withSettlement(Optional.of(DevnetGenesis.SETTLEMENT));
      }
      int[][] ports = new int[validators][3];
      for (int[] nodePorts : ports) {
        for (int k = 0; k < 3; k++) {
          nodePorts[k] = freePort();
        }
      }
      ObjectNode state = JSON.createObjectNode();
      state.put("chainId", genesis.chainId());
      state.put("verifiersPerJob", genesis.params().ai().jobs().verifiers());
      if (seed != null) {
        state.put("seed", seed);
      }
      if (evm) {
        state.putObject("evm").put("chainId", LocalAnvil.CHAIN_ID);
      }
      ArrayNode nodes = state.putArray("nodes");
      for (int i = 0; i < validators; i++) {
        String name = "validator" + i;
        Path home = dir.resolve(name).toAbsolutePath();
        NodeHome nodeHome = new NodeHome(home);
        nodeHome.init(genesis, keys.get(i));
        List<String> peers = new ArrayList<>();
        for (int j = 0; j < validators; j++) {
          if (j != i) {
            peers.add(keys.get(j).address() + "@127.0.0.1:" + ports[j][2]);
          }
        }
        nodeHome.writeSettings(
            new NodeSettings(
                new NodeSettings.Rpc("127.0.0.1", ports[i][0]),
                new NodeSettings.Metrics("127.0.0.1", ports[i][1]),
                new NodeSettings.P2p("127.0.0.1", ports[i][2], peers)));
        ObjectNode node = nodes.addObject();
        node.put("name", name);
        node.put("address", keys.get(i).address().toString());
        node.put("home", home.toString());
        node.put("executor", i < executors);
        if (i < executors) {
          node.put("auditPercent", auditPercent);
        }
        node.put("rpcUrl", "http://127.0.0.1:" + ports[i][0]);
        node.put("metricsUrl", "http://127.0.0.1:" + ports[i][1] + "/metrics");
        node.put("p2p", keys.get(i).address() + "@127.0.0.1:" + ports[i][2]);
      }
      return state;
    }
  }

  /**
   * Validator {@code index}'s key in a testnet seeded with {@code seed}: keccak256 of a domain tag,
   * the seed and the index (and a counter, in the vanishing case that a hash is not a valid key).
   */
  static PrivateKey validatorKey(long seed, int index) {
    byte[] tag = "ascribe/testnet/validator-key/v1".getBytes(StandardCharsets.US_ASCII);
    for (int counter = 0; ; counter++) {
      byte[] input = ByteBuffer.allocate(16).putLong(seed).putInt(index).putInt(counter).array();
      try {
        return PrivateKey.fromBytes(Keccak.hash(tag, input).toArray());
      } catch (IllegalArgumentException outOfRange) {
        // Zero or at least the group order: try the next counter.
      }
    }
  }

  /** A port that was free a moment ago on loopback. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Command(
      name = "init",
      description =
          "Create N validator homes and DIR/testnet.json without starting them; adjust their"
              + " settings (HOME/config/node.toml) if need be, then start them with 'testnet up'.")
  static final class Init implements Runnable {
    @Mixin Layout layout;

    @Mixin Dir testnetDir;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      Path dir = testnetDir.dir;
      Path manifest = testnetDir.manifest();
      if (Files.exists(manifest)) {
        throw new UserErrorException(
            dir + " already holds a testnet (" + manifest + "); start it with: testnet/run up");
      }
      try {
        ObjectNode state = layout.create(dir);
        write(manifest, state);
        PrintWriter out = spec.commandLine().getOut();
        summary(out, state, manifest, false);
        out.printf("Start it with: testnet/run up --dir %s%n", dir);
        out.flush();
      } catch (IOException e) {
        throw new UserErrorException("cannot create the testnet in " + dir + ": " + e.getMessage());
      }
    }
  }

  @Command(name = "up", description = "Create (if new) and start N validators.")
  static final class Up implements Runnable {
    @Mixin Layout layout;

    @Mixin Dir testnetDir;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      Path dir = testnetDir.dir;
      Path manifest = testnetDir.manifest();
      if (Files.exists(manifest) && anyRunning(read(manifest))) {
        throw new UserErrorException(
            "the testnet in " + dir + " is running; stop it with: testnet/run down --dir " + dir);
      }
      try {
        ObjectNode state =
            Files.exists(manifest) ? (ObjectNode) read(manifest) : layout.create(dir);
        if (state.has("evm")) {
          startEvm(dir, state);
        }
        for (JsonNode node : state.withArray("nodes")) {
          Path home = Path.of(node.path("home").asText());
          ((ObjectNode) node).put("pid", launch(home, executor(node)));
        }
        if (state.has("evm")) {
          ObjectNode evm = (ObjectNode) state.path("evm");
          evm.put(
              "relayerPid",
              launchAscribe(
                  List.of(
                      "relayer",
                      "--rpc",
                      state.path("nodes").get(0).path("rpcUrl").asText(),
                      "--evm-rpc",
                      evm.path("rpcUrl").asText(),
                      "--distributor",
                      evm.path("distributor").asText(),
                      "--key",
                      DevnetGenesis.devAccounts().get(DevnetCommand.RELAYER_ACCOUNT).toHex(),
                      "--poll-ms",
                      "200"),
                  dir.resolve("relayer.log")));
        }
        write(manifest, state);
        PrintWriter out = spec.commandLine().getOut();
        summary(out, state, manifest, true);
        out.printf("Logs: %s/<name>/node.log. Stop with: testnet/run down --dir %s%n", dir, dir);
        out.flush();
      } catch (IOException e) {
        throw new UserErrorException("cannot start the testnet in " + dir + ": " + e.getMessage());
      }
    }
  }

  /**
   * Starts anvil as a process of its own on a free port, deploys the contracts for the genesis's
   * validators from dev account 0 and records them (and anvil's process) in {@code state}. A fresh
   * anvil each time, so the distributor lands where the genesis says; the relayer then replays the
   * chain's validator-set updates and epochs onto it.
   */
  private static void startEvm(Path dir, ObjectNode state) throws IOException {
    int port = freePort();
    long pid = LocalAnvil.launch(port, dir.resolve("anvil.log"));
    String url = "http://127.0.0.1:" + port;
    ObjectNode evm = (ObjectNode) state.path("evm");
    evm.put("rpcUrl", url);
    evm.put("anvilPid", pid);
    Path home = Path.of(state.path("nodes").get(0).path("home").asText());
    Genesis genesis = new NodeHome(home).load().genesis();
    Web3j web3j = Web3j.build(new HttpService(url));
    try {
      LocalAnvil.awaitRpc(web3j, url, java.time.Duration.ofSeconds(60));
      Contracts contracts =
          DevContracts.deploy(web3j, url, genesis, "it is not a fresh anvil; run testnet up again");
      evm.put("token", contracts.token().toString());
      evm.put("distributor", contracts.distributor().toString());
      evm.put("bridge", contracts.bridge().toString());
    } catch (RuntimeException e) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
      throw e;
    } finally {
      web3j.shutdown();
    }
  }

  /** A line for the testnet, and one per validator: its RPC, p2p address and home or process. */
  private static void summary(PrintWriter out, JsonNode state, Path manifest, boolean started) {
    out.printf(
        "Testnet of %d validators, chain id %d (%s)%s%n",
        state.path("nodes").size(),
        state.path("chainId").asLong(),
        manifest,
        started ? "" : ", not started");
    for (JsonNode node : state.path("nodes")) {
      out.printf(
          "  %s  RPC %s  p2p %s  %s%n",
          node.path("name").asText(),
          node.path("rpcUrl").asText(),
          node.path("p2p").asText(),
          started ? "pid " + node.path("pid").asLong() : "home " + node.path("home").asText());
    }
    long executors = 0;
    for (JsonNode node : state.path("nodes")) {
      executors += executor(node).isPresent() ? 1 : 0;
    }
    if (executors > 0) {
      out.printf(
          "  %d executors (the first %d validators); each tuning job takes an executor and %d"
              + " verifiers among them%n",
          executors, executors, state.path("verifiersPerJob").asInt());
    }
  }

  @Command(name = "down", description = "Stop the testnet's validators.")
  static final class Down implements Runnable {
    @Mixin Dir testnetDir;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      Path manifest = testnetDir.manifest();
      if (!Files.exists(manifest)) {
        throw new UserErrorException("no testnet in " + testnetDir.dir + " (no testnet.json)");
      }
      JsonNode state = read(manifest);
      JsonNode evm = state.path("evm");
      boolean relayer = stop(evm.path("relayerPid").asLong(-1));
      int stopped = 0;
      for (JsonNode node : state.path("nodes")) {
        if (stop(node.path("pid").asLong(-1))) {
          stopped++;
        }
      }
      boolean anvil = stop(evm.path("anvilPid").asLong(-1));
      spec.commandLine()
          .getOut()
          .printf(
              "Stopped %d validator processes%s%s%n",
              stopped, relayer ? ", the relayer" : "", anvil ? ", anvil" : "");
      spec.commandLine().getOut().flush();
    }
  }

  /** Stops process {@code pid} if it runs; true if it did. */
  private static boolean stop(long pid) {
    Optional<ProcessHandle> process = pid < 0 ? Optional.empty() : ProcessHandle.of(pid);
    if (process.isPresent() && process.get().isAlive()) {
      process.get().destroy();
      process.get().onExit().join();
      return true;
    }
    return false;
  }

  /**
   * Starts `ascribe run` for a home as a process of its own that outlives this command, logging to
   * {@code HOME/node.log}; returns its process id.
   */
  static long launch(Path home) throws IOException {
    return launch(home, Optional.empty());
  }

  /**
   * How a testnet node runs its AI work: not at all, or as an executor re-executing {@code
   * auditPercent} of the others' receipts.
   */
  record ExecutorRole(int auditPercent) {}

  /** The executor role {@code testnet.json} gives {@code node}, if any. */
  static Optional<ExecutorRole> executor(JsonNode node) {
    return node.path("executor").asBoolean()
        ? Optional.of(
            new ExecutorRole(
                node.path("auditPercent").asInt(ExecutorSettings.DEFAULT_AUDIT_PERCENT)))
        : Optional.empty();
  }

  /** Starts the node of {@code home}, running its AI work when it has an executor role. */
  static long launch(Path home, Optional<ExecutorRole> executor) throws IOException {
    List<String> args = new ArrayList<>(List.of("run", "--home", home.toString()));
    executor.ifPresent(
        role ->
            args.addAll(
                List.of("--executor", "--audit-percent", String.valueOf(role.auditPercent()))));
    return launchAscribe(args, home.resolve("node.log"));
  }

  /**
   * Starts {@code ascribe ARGS} as a process of its own that outlives this command, appending its
   * output to {@code log}; returns its process id.
   */
  static long launchAscribe(List<String> args, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classPath = System.getProperty("java.class.path");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                classPath,
                Main.class.getName()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return builder.start().pid();
  }

  private static boolean anyRunning(JsonNode state) {
    for (JsonNode node : state.path("nodes")) {
      if (node.has("pid")
          && ProcessHandle.of(node.path("pid").asLong())
              .map(ProcessHandle::isAlive)
              .orElse(false)) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode read(Path manifest) {
    try {
      return JSON.readTree(manifest.toFile());
    } catch (IOException e) {
      throw new UserErrorException("cannot read " + manifest + ": " + e.getMessage());
    }
  }

  private static void write(Path manifest, JsonNode state) throws IOException {
    AtomicFiles.write(
        manifest, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state) + "\n", false);
  }
}
