package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.contracts.settlement.Contracts;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.GenesisRules;
import io.ascribe.genesis.InvalidGenesisException;
import io.ascribe.node.AscribeNode;
import io.ascribe.node.NodeConfig;
import io.ascribe.node.config.AtomicFiles;
import io.ascribe.node.evm.LocalAnvil;
import io.ascribe.node.executor.ExecutorSettings;
import io.ascribe.node.relayer.Relayer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe devnet}: a one-validator chain on the built-in devnet genesis, for development.
 * Its ten dev accounts are anvil's, so the same keys work on a local EVM too.
 */
@Command(
    name = "devnet",
    description = "Run a one-validator development chain with ten funded dev accounts.")
final class DevnetCommand implements Runnable {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "devnet-data",
      description =
          "Chain data directory; reusing it resumes the chain (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--rpc-port",
      paramLabel = "PORT",
      defaultValue = "8645",
      description = "JSON-RPC port, 0 for a free one (default: ${DEFAULT-VALUE}).")
  int rpcPort;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      defaultValue = "9645",
      description =
          "Prometheus metrics port, 0 for a free one, -1 for none (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Interface to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--block-time",
      paramLabel = "MS",
      defaultValue = "1000",
      description = "Milliseconds between blocks (default: ${DEFAULT-VALUE}).")
  long blockTimeMs;

  @Option(
      names = "--evm-rpc",
      paramLabel = "URL",
      description =
          "Attest the deposits of the OpenBridge given by --bridge, watching them through this EVM"
              + " JSON-RPC URL (off by default).")
  String evmRpc;

  @Option(
      names = "--bridge",
      paramLabel = "ADDR",
      description = "The OpenBridge whose deposits the devnet credits ('ascribe evm deploy').")
  String bridge;

  @Option(
      names = "--evm-chain-id",
      paramLabel = "ID",
      defaultValue = "31337",
      description = "The EVM chain the bridge is on (default: ${DEFAULT-VALUE}, anvil's).")
  long evmChainId;

  @Option(
      names = "--confirmations",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "EVM blocks a deposit needs, its own included, before it is attested (default:"
              + " ${DEFAULT-VALUE}).")
  int confirmations;

  @Option(
      names = "--evm-poll-ms",
      paramLabel = "MS",
      defaultValue = "1000",
      description = "Milliseconds between polls of the EVM node (default: ${DEFAULT-VALUE}).")
  long evmPollMs;

  @Option(
      names = "--evm",
      description =
          "Also start anvil (from contracts/node_modules), deploy OPEN, the distributor and the"
              + " bridge with dev account 0, credit the bridge's deposits and run a relayer that"
              + " submits each epoch's root.")
  boolean evm;

  @Option(
      names = "--evm-port",
      paramLabel = "PORT",
      defaultValue = "0",
      description = "anvil's port with --evm, 0 for a free one (default: ${DEFAULT-VALUE}).")
  int evmPort;

  @Mixin ExecutorOptions executorOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** What {@code --evm} started: anvil, the contracts on it, and the relayer. */
  private record LocalEvm(LocalAnvil anvil, Contracts contracts, Address relayer) {}

  @Override
  public void run() {
    Optional<ExecutorSettings> work = executorOptions.settings(dataDir);
    Genesis genesis = DevnetGenesis.create(blockTimeMs);
    List<PrivateKey> accounts = DevnetGenesis.devAccounts();
    NodeConfig config =
        new NodeConfig(dataDir, genesis, accounts.get(0), host, rpcPort, metricsPort);
    LocalEvm local = null;
    if (evm) {
      if (evmRpc != null || bridge != null) {
        throw new UserErrorException(
            "--evm starts its own anvil and bridge: leave out --evm-rpc and --bridge, or --evm");
      }
      local = startEvm(genesis, accounts);
      evmRpc = local.anvil().url();
      bridge = local.contracts().bridge().toString();
      evmChainId = LocalAnvil.CHAIN_ID;
    }
    if (evmRpc != null || bridge != null) {
      try {
        config = withBridge(config);
      } catch (RuntimeException e) {
        closeQuietly(local);
        throw e;
      }
      genesis = config.genesis();
    }
    AscribeNode node;
    try {
      node = AscribeNode.start(config);
    } catch (BindException e) {
      closeQuietly(local);
      throw new UserErrorException(
          "cannot listen on "
              + host
              + " port "
              + rpcPort
              + " or "
              + metricsPort
              + ": another program uses it; pick free ports with --rpc-port and --metrics-port");
    } catch (IOException e) {
      closeQuietly(local);
      throw new UserErrorException("cannot start the devnet: " + e.getMessage());
    }
    if (work.isPresent()) {
      try {
        node.startAiWork(work.get());
      } catch (IllegalStateException e) {
        node.close();
        closeQuietly(local);
        throw new UserErrorException(e.getMessage());
      }
    }
    writeDevnetJson(node, genesis, accounts, local);
    printBanner(node, genesis, accounts, local, work);
    if (local == null) {
      Foreground.runUntilStopped(node);
      return;
    }
    Relayer relayer =
        new Relayer(
            new Relayer.Settings(
                node.rpcUrl(),
                local.anvil().url(),
                local.contracts().distributor(),
                accounts.get(RELAYER_ACCOUNT),
                Duration.ofMillis(Math.max(200, blockTimeMs))));
    relayer.start();
    // The relayer first (it talks to both), then the node (its bridge watches anvil), anvil last.
    Foreground.runUntilStopped(List.of(relayer, node, local.anvil()));
  }

  /** The dev account whose ETH pays the relayer's gas: the last, which the walkthrough leaves. */
  static final int RELAYER_ACCOUNT = 9;

  /**
   * Starts anvil and deploys the contracts from dev account 0, whose first deployment on a fresh
   * anvil puts the distributor where the devnet genesis's settlement says (ADR 003).
   */
  private LocalEvm startEvm(Genesis genesis, List<PrivateKey> accounts) {
    LocalAnvil anvil;
    try {
      anvil = LocalAnvil.start(evmPort, 1);
    } catch (LocalAnvil.AnvilException e) {
      throw new UserErrorException(e.getMessage());
    }
    Web3j web3j = Web3j.build(new HttpService(anvil.url()));
    try {
      Contracts contracts =
          DevContracts.deploy(
              web3j,
              anvil.url(),
              genesis,
              "dev account 0 had sent transactions there before; give --evm a free port"
                  + " (--evm-port 0)");
      return new LocalEvm(anvil, contracts, accounts.get(RELAYER_ACCOUNT).address());
    } catch (RuntimeException e) {
      anvil.close();
      throw e;
    } finally {
      web3j.shutdown();
    }
  }

  private static void closeQuietly(LocalEvm local) {
    if (local != null) {
      local.anvil().close();
    }
  }

  /**
   * The devnet crediting the deposits of {@code --bridge}, watched through {@code --evm-rpc}. The
   * bridge is not part of the genesis block, so a devnet data directory works with or without it.
   */
  private NodeConfig withBridge(NodeConfig config) {
    if (evmRpc == null || bridge == null) {
      throw new UserErrorException(
          "--evm-rpc and --bridge go together: the EVM node to watch and the OpenBridge on it"
              + " (the address 'ascribe evm deploy' printed)");
    }
    Genesis genesis;
    NodeConfig.BridgeWatch watch;
    try {
      genesis =
          config
              .genesis()
              .withBridge(new Genesis.Bridge(evmChainId, Address.fromHex(bridge), confirmations));
      GenesisRules.validate(genesis);
      watch = new NodeConfig.BridgeWatch(evmRpc, Duration.ofMillis(evmPollMs), 0);
    } catch (IllegalArgumentException | InvalidGenesisException e) {
      throw new UserErrorException("bad bridge option: " + e.getMessage());
    }
    return new NodeConfig(
            config.dataDir(),
            genesis,
            config.nodeKey(),
            config.host(),
            config.rpcPort(),
            config.metricsPort())
        .withBridge(watch);
  }

  private void printBanner(
      AscribeNode node,
      Genesis genesis,
      List<PrivateKey> accounts,
      LocalEvm local,
      Optional<ExecutorSettings> work) {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("Ascribe devnet%n");
    out.printf("  RPC URL     %s%n", node.rpcUrl());
    out.printf("  WebSocket   %s%n", node.wsUrl());
    node.metricsUrl().ifPresent(url -> out.printf("  Metrics     %s%n", url));
    out.printf("  Chain id    %d%n", genesis.chainId());
    out.printf("  Data dir    %s (height %d)%n", dataDir.toAbsolutePath(), node.ledger().height());
    out.printf("  Validator   %s%n", accounts.get(0).address());
    work.ifPresent(
        w -> out.printf("  Executor    %s; results need no verifiers here%n", w.describe()));
    genesis
        .settlement()
        .ifPresent(
            s ->
                out.printf(
                    "  Settlement  epoch roots signed for distributor %s on EVM chain %d%n",
                    s.distributor(), s.evmChainId()));
    genesis
        .bridge()
        .ifPresent(
            b ->
                out.printf(
                    "  Deposits    OpenBridge %s on EVM chain %d via %s (%d confirmations)%n",
                    b.address(), b.evmChainId(), evmRpc, b.confirmations()));
    if (local != null) {
      out.printf("  EVM RPC     %s (anvil, chain %d)%n", local.anvil().url(), LocalAnvil.CHAIN_ID);
      out.printf("  OPEN token  %s%n", local.contracts().token());
      out.printf("  Distributor %s%n", local.contracts().distributor());
      out.printf("  Bridge      %s%n", local.contracts().bridge());
      out.printf(
          "  Relayer     in-process, gas paid by dev account %d (%s)%n",
          RELAYER_ACCOUNT, local.relayer());
    }
    out.printf(
        "%nDev accounts (%s OPEN each; mnemonic \"%s\"):%n",
        Amount.formatOpen(DevnetGenesis.ACCOUNT_BALANCE), DevnetGenesis.MNEMONIC);
    for (int i = 0; i < accounts.size(); i++) {
      out.printf("  (%d) %s  %s%n", i, accounts.get(i).address(), accounts.get(i).toHex());
    }
    out.printf("%nWritten to %s. Stop with Ctrl-C.%n", dataDir.resolve("devnet.json"));
    out.flush();
  }

  /** Writes devnet.json atomically, for scripts and the web page to find the node. */
  private void writeDevnetJson(
      AscribeNode node, Genesis genesis, List<PrivateKey> accounts, LocalEvm local) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("rpcUrl", node.rpcUrl());
    root.put("wsUrl", node.wsUrl());
    node.metricsUrl().ifPresent(url -> root.put("metricsUrl", url));
    root.put("chainId", genesis.chainId());
    genesis
        .bridge()
        .ifPresent(
            b ->
                root.putObject("bridge")
                    .put("address", b.address().toString())
                    .put("evmChainId", b.evmChainId())
                    .put("confirmations", b.confirmations())
                    .put("evmRpcUrl", evmRpc));
    if (local != null) {
      root.putObject("evm")
          .put("rpcUrl", local.anvil().url())
          .put("chainId", LocalAnvil.CHAIN_ID)
          .put("token", local.contracts().token().toString())
          .put("distributor", local.contracts().distributor().toString())
          .put("bridge", local.contracts().bridge().toString())
          .put("relayer", local.relayer().toString());
    }
    ArrayNode list = root.putArray("accounts");
    for (PrivateKey key : accounts) {
      list.addObject().put("address", key.address().toString()).put("privateKey", key.toHex());
    }
    Path target = dataDir.resolve("devnet.json");
    try {
      AtomicFiles.write(
          target, json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n", false);
    } catch (IOException e) {
      throw new UserErrorException("cannot write " + target + ": " + e.getMessage());
    }
  }
}
