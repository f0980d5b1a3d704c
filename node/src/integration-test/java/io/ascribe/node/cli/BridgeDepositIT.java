package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.contracts.Anvil;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.node.DevnetProcess;
import io.ascribe.node.cli.InProcessCli.Result;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deposits end to end: anvil with the settlement contracts, and an {@code ascribe devnet --evm-rpc
 * --bridge} process whose sole validator watches the bridge and attests what it sees. A deposit is
 * credited only once it has the genesis's confirmations, exactly once across a restart of the node
 * (and one made while the node was down is not missed), and a deposit that a reorg removes before
 * its confirmations is never credited.
 */
class BridgeDepositIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CONFIRMATIONS = 4;
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final PrivateKey VALIDATOR = DevnetGenesis.devAccounts().get(0);

  @TempDir Path dir;
  private Anvil anvil;
  private Address token;
  private Address bridge;
  private Devnet devnet;

  @AfterEach
  void stop() throws InterruptedException {
    if (devnet != null) {
      devnet.stop();
    }
    if (anvil != null) {
      anvil.close();
    }
  }

  @Test
  void depositsAreCreditedOnceAfterTheirConfirmationsAndNeverFromARemovedBlock() throws Exception {
    anvil = Anvil.start();
    deployContracts();
    Address alice = recipient(1);
    Address bob = recipient(2);
    Address carol = recipient(3);
    Address dave = recipient(4);
    devnet = Devnet.start(dir.resolve("devnet"), anvil.url(), bridge);

    // Deposit 0. Its own block is its first confirmation; with one short of the genesis's
    // confirmations the validator has polled past the block before it but reported nothing.
    long deposit0 = deposit("5", alice);
    anvil.mine(CONFIRMATIONS - 2);
    await(
        "the watcher polled with the deposit one confirmation short",
        () -> scanned() >= deposit0 - 1);
    assertThat(pendingDeposits()).as("deposits the watcher handed over").isEmpty();
    awaitBlocks(2);
    assertThat(balance(alice)).isZero();

    anvil.mine(1);
    await("deposit 0 credited", () -> balance(alice).equals(open("5")));
    assertThat(nonce(VALIDATOR.address())).as("attestations sent").isOne();

    // A deposit made while the node is down is credited when it is back; deposit 0 is not again.
    devnet.stop();
    deposit("2", bob);
    anvil.mine(CONFIRMATIONS - 1);
    devnet = Devnet.start(dir.resolve("devnet"), anvil.url(), bridge);
    await("deposit 1 credited after the restart", () -> balance(bob).equals(open("2")));
    anvil.mine(CONFIRMATIONS);
    long head = anvil.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
    await("the watcher caught up", () -> scanned() >= head - CONFIRMATIONS + 1);
    awaitBlocks(2);
    assertThat(balance(alice)).isEqualTo(open("5"));
    assertThat(nonce(VALIDATOR.address())).as("one attestation per deposit").isEqualTo(2);

    // Deposit 2 has two of its four confirmations when the EVM chain reorganises from before
    // it; on the new chain another deposit takes number 2 and is the one credited.
    String beforeRemoved = anvil.snapshot();
    long snapshotBlock = anvil.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
    deposit("3", carol);
    anvil.mine(1);
    await("the watcher polled the removed deposit's chain", () -> scanned() >= snapshotBlock);
    anvil.revert(beforeRemoved);
    anvil.mine(2 * CONFIRMATIONS);
    deposit("4", dave);
    anvil.mine(CONFIRMATIONS - 1);
    await("the replacing deposit credited", () -> balance(dave).equals(open("4")));
    assertThat(balance(carol)).isZero();
    assertThat(nonce(VALIDATOR.address())).isEqualTo(3);
    await("the node forgot the settled deposits", () -> pendingDeposits().isEmpty());
  }

  private void deployContracts() throws IOException {
    Path validators = dir.resolve("validators.json");
    Files.writeString(
        validators, "[{\"address\":\"" + VALIDATOR.address() + "\",\"power\":\"100000\"}]");
    Result deployed =
        InProcessCli.run(
            "evm",
            "deploy",
            "--evm-rpc",
            anvil.url(),
            "--key",
            Anvil.DEPLOYER.toHex(),
            "--validators",
            validators.toString());
    assertThat(deployed.exit()).as(deployed.err()).isZero();
    JsonNode addresses = JSON.readTree(deployed.out());
    token = Address.fromHex(addresses.path("token").asText());
    bridge = Address.fromHex(addresses.path("bridge").asText());
  }

  /** {@code ascribe bridge deposit}; returns the EVM block that holds the deposit. */
  private long deposit(String amount, Address to) throws IOException {
    Result deposited =
        InProcessCli.run(
            "bridge",
            "deposit",
            "--evm-rpc",
            anvil.url(),
            "--key",
            Anvil.DEPLOYER.toHex(),
            "--bridge",
            bridge.toString(),
            "--token",
            token.toString(),
            "--amount",
            amount,
            "--to",
            to.toString());
    assertThat(deposited.exit()).as(deposited.err()).isZero();
    // anvil mines each transaction into a block of its own: the deposit is the newest.
    return anvil.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
  }

  private static Address recipient(int n) {
    byte[] raw = new byte[20];
    raw[0] = (byte) 0xde;
    raw[19] = (byte) n;
    return Address.wrap(raw);
  }

  private static BigInteger open(String amount) {
    return Amount.parseOpen(amount);
  }

  private BigInteger balance(Address account) {
    return Quantities.parse(devnet.rpc().call("ascribe_getBalance", account.toString()).asText());
  }

  private long nonce(Address account) {
    return Quantities.parseLong(devnet.rpc().call("ascribe_getNonce", account.toString()).asText());
  }

  private long height() {
    return Quantities.parseLong(devnet.rpc().call("ascribe_blockNumber").asText());
  }

  /** Waits for {@code count} more Ascribe blocks: time for a transaction just sent to land. */
  private void awaitBlocks(int count) throws InterruptedException {
    long target = height() + count;
    await("Ascribe block " + target, () -> height() >= target);
  }

  /** The last EVM block the node's deposit watcher has scanned, from its state file. */
  private long scanned() {
    Path file = dir.resolve("devnet").resolve("bridge").resolve("deposit-watcher.properties");
    if (!Files.exists(file)) {
      return -1;
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      return -1; // being replaced; read it again
    }
    return Long.parseLong(properties.getProperty("scannedThrough", "-1"));
  }

  /** The deposits the node has taken from the watcher and not yet seen settled. */
  private List<JsonNode> pendingDeposits() {
    Path file = dir.resolve("devnet").resolve("bridge").resolve("pending-deposits.json");
    List<JsonNode> out = new ArrayList<>();
    if (Files.exists(file)) {
      try {
        JSON.readTree(file.toFile()).forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /**
   * Checks {@code condition} at every new Ascribe block (each one a chance for the node to have
   * polled the EVM chain and attested) until it holds, or fails after {@link #DEADLINE}.
   */
  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "timed out after "
                + DEADLINE
                + " waiting for "
                + what
                + "; node output: "
                + devnet.output());
      }
      devnet.heads().next(Duration.ofNanos(left));
    }
  }

  /** An {@code ascribe devnet} process with the bridge configured, its RPC and its new heads. */
  private record Devnet(DevnetProcess process, RpcClient rpc, HeadSubscription heads) {
    static Devnet start(Path dataDir, String evmRpc, Address bridge) throws IOException {
      DevnetProcess process =
          DevnetProcess.start(
              dataDir,
              100,
              "--evm-rpc",
              evmRpc,
              "--bridge",
              bridge.toString(),
              "--evm-chain-id",
              Long.toString(Anvil.CHAIN_ID),
              "--confirmations",
              Integer.toString(CONFIRMATIONS),
              "--evm-poll-ms",
              "100");
      return new Devnet(
          process, new RpcClient(process.rpcUrl()), HeadSubscription.open(process.rpcUrl()));
    }

    List<String> output() {
      return process.output();
    }

    void stop() throws InterruptedException {
      heads.close();
      process.stop();
    }
  }
}
