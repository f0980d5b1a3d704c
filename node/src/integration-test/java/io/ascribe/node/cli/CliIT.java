package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.crypto.Keystore;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.node.AscribeNode;
import io.ascribe.node.NodeConfig;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ascribe} commands a user types, run in this JVM against a devnet node on free ports:
 * what they print, what they change on the chain, and how they fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliIT {
  private final List<PrivateKey> dev = DevnetGenesis.devAccounts();
  private AscribeNode node;
  private RpcClient rpc;

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    node =
        AscribeNode.start(
            new NodeConfig(dir, DevnetGenesis.create(50), dev.get(0), "127.0.0.1", 0, 0));
    rpc = new RpcClient(node.rpcUrl());
  }

  @AfterAll
  void stop() {
    node.close();
  }

  private static CliRun ascribe(String... args) {
    return CliRun.of(args);
  }

  private static String succeeds(CliRun run) {
    return run.succeeds();
  }

  private static void failsWith(CliRun run, String expected) {
    run.failsWith(expected);
  }

  private BigInteger balanceOf(Address address) {
    return Quantities.parse(rpc.call("ascribe_getBalance", address.toString()).asText());
  }

  /** An address no genesis or earlier test funded, different for each {@code seed}. */
  private static Address freshAddress(int seed) {
    byte[] bytes = new byte[Address.SIZE];
    java.util.Arrays.fill(bytes, (byte) seed);
    return Address.wrap(bytes);
  }

  @Test
  void transferMovesExactlyTheAmountAndStakeBonds() {
    PrivateKey sender = dev.get(1);
    Address recipient = freshAddress(0x11);
    BigInteger before = balanceOf(recipient);

    String out = succeeds(transfer(sender.toHex(), recipient.toString(), "1.5"));

    assertThat(out).contains("included in block");
    assertThat(balanceOf(recipient)).isEqualTo(before.add(new BigInteger("1500000000000000000")));

    out =
        succeeds(
            ascribe(
                "tx", "stake", "--rpc", node.rpcUrl(), "--key", sender.toHex(), "--amount", "10"));

    assertThat(out).contains("included in block");
    assertThat(
            succeeds(
                ascribe("account", "proof", sender.address().toString(), "--rpc", node.rpcUrl())))
        .contains("verified")
        .containsPattern("stake +10 OPEN");
  }

  @Test
  void unstakedOpenStaysUnbondingPastTheDelayAndTheProofSaysWhenItComesBack() throws Exception {
    PrivateKey staker = dev.get(4);
    String key = staker.toHex();
    succeeds(ascribe("tx", "stake", "--rpc", node.rpcUrl(), "--key", key, "--amount", "10"));
    long unstaked =
        CliRun.printedBlock(
            succeeds(
                ascribe("tx", "unstake", "--rpc", node.rpcUrl(), "--key", key, "--amount", "4")));
    BigInteger balance = balanceOf(staker.address());
    ProtocolParams params = DevnetGenesis.create().params();
    long release = unstaked + params.validatorSetDelay() + params.unbondingBlocks();

    try (HeadSubscription heads = HeadSubscription.open(node.rpcUrl())) {
      heads.awaitHeight(unstaked + params.validatorSetDelay() + 1, Duration.ofSeconds(30));
    }
    assertThat(balanceOf(staker.address())).isEqualTo(balance);
    JsonNode account = rpc.call("ascribe_getProof", staker.address().toString()).path("account");
    assertThat(Quantities.parse(account.path("unbonding").asText()))
        .isEqualTo(Amount.parseOpen("4"));
    assertThat(Quantities.parseLong(account.path("unbondingHeight").asText())).isEqualTo(release);
    assertThat(
            succeeds(
                ascribe("account", "proof", staker.address().toString(), "--rpc", node.rpcUrl())))
        .containsPattern("stake +6 OPEN")
        .containsPattern("unbonding +4 OPEN \\(back in the balance at block " + release + "\\)");
  }

  @Test
  void accountProofVerifiesAFundedAccountAndProvesAnUnknownOneAbsent() {
    String funded =
        succeeds(
            ascribe("account", "proof", dev.get(2).address().toString(), "--rpc", node.rpcUrl()));
    assertThat(funded).contains("verified").doesNotContain("proven absent");

    String unknown =
        succeeds(
            ascribe("account", "proof", freshAddress(0x22).toString(), "--rpc", node.rpcUrl()));
    assertThat(unknown).contains("verified").contains("proven absent");
  }

  @Test
  void statusShowsTheChainIdAndHeight() {
    String out = succeeds(ascribe("status", "--rpc", node.rpcUrl()));

    assertThat(out).containsPattern("chain id +1337").containsPattern("height +\\d+");
  }

  @Test
  void anUnreachableNodeIsNamedWithoutAStackTrace() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort;

    failsWith(ascribe("status", "--rpc", url), "cannot reach a node");
    failsWith(
        ascribe(
            "tx",
            "transfer",
            "--rpc",
            url,
            "--key",
            dev.get(3).toHex(),
            "--to",
            freshAddress(0x33).toString(),
            "--amount",
            "1"),
        "cannot reach a node");
  }

  @Test
  void badInputIsRefusedWithAMessageNamingTheMistake() {
    String key = dev.get(3).toHex();
    String to = freshAddress(0x33).toString();

    failsWith(transfer("0x12zz", to, "1"), "hex");
    failsWith(transfer(key, withOneLetterCaseFlipped(dev.get(4).address()), "1"), "checksum");
    failsWith(transfer(key, to, "0.0000000000000000001"), "18 decimals");
    BigInteger balance = balanceOf(dev.get(3).address());
    failsWith(
        transfer(key, to, Amount.formatOpen(balance.add(BigInteger.ONE))), "insufficient balance");
  }

  private CliRun transfer(String key, String to, String amount) {
    return ascribe(
        "tx", "transfer", "--rpc", node.rpcUrl(), "--key", key, "--to", to, "--amount", amount);
  }

  /** The EIP-55 text of {@code address} with one letter's case flipped: a typo's checksum. */
  private static String withOneLetterCaseFlipped(Address address) {
    char[] text = address.toString().toCharArray();
    for (int i = 2; i < text.length; i++) {
      if (Character.isLetter(text[i])) {
        text[i] =
            Character.isUpperCase(text[i])
                ? Character.toLowerCase(text[i])
                : Character.toUpperCase(text[i]);
        return new String(text);
      }
    }
    throw new IllegalArgumentException(address + " has no letters");
  }

  @Test
  void aNewKeyIsListed(@TempDir Path dir) throws IOException {
    Path keysDir = dir.resolve("keys");
    Path passwordFile = Files.writeString(dir.resolve("password"), "correct horse\n");

    String out =
        succeeds(
            ascribe(
                "keys",
                "new",
                "--keys-dir",
                keysDir.toString(),
                "--password-file",
                passwordFile.toString()));

    String address = out.lines().findFirst().orElseThrow().replaceFirst("^address +", "");
    assertThat(Address.fromHex(address).toString()).isEqualTo(address);
    assertThat(succeeds(ascribe("keys", "list", "--keys-dir", keysDir.toString())))
        .contains(address);
  }

  @Test
  void anImportedHexKeyIsListedByItsChecksummedAddressAndOnlyOnce(@TempDir Path dir)
      throws IOException {
    Path keysDir = dir.resolve("keys");
    Path passwordFile = Files.writeString(dir.resolve("password"), "pw\n");
    PrivateKey key = dev.get(5);
    String[] importIt = {
      "keys",
      "import",
      "--private-key",
      key.toHex(),
      "--keys-dir",
      keysDir.toString(),
      "--password-file",
      passwordFile.toString()
    };

    succeeds(ascribe(importIt));

    assertThat(succeeds(ascribe("keys", "list", "--keys-dir", keysDir.toString())))
        .contains(key.address().toString());
    failsWith(ascribe(importIt), "already");
  }

  @Test
  void aKeystoreFileImportsWithItsPasswordOnly(@TempDir Path dir) throws Exception {
    Path keysDir = dir.resolve("keys");
    PrivateKey key = dev.get(6);
    Path keystore =
        Files.writeString(
            dir.resolve("wallet.json"), Keystore.encrypt(key, "right", seededRandom(6), 1024));
    Path right = Files.writeString(dir.resolve("right"), "right\n");
    Path wrong = Files.writeString(dir.resolve("wrong"), "wrong\n");

    failsWith(importKeystore(keystore, keysDir, wrong), "wrong password");
    succeeds(importKeystore(keystore, keysDir, right));

    assertThat(succeeds(ascribe("keys", "list", "--keys-dir", keysDir.toString())))
        .contains(key.address().toString());
  }

  private static CliRun importKeystore(Path keystore, Path keysDir, Path passwordFile) {
    return ascribe(
        "keys",
        "import",
        "--keystore",
        keystore.toString(),
        "--keys-dir",
        keysDir.toString(),
        "--password-file",
        passwordFile.toString());
  }

  private static SecureRandom seededRandom(long seed) throws NoSuchAlgorithmException {
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(seed);
    return random;
  }
}
