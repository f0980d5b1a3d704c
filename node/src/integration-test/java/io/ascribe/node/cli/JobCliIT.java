package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.node.AscribeNode;
import io.ascribe.node.NodeConfig;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tuning jobs from the command line against a devnet node on free ports, whose genesis asks two
 * verifiers per job as a network's would (the plain devnet asks none). A job then needs an executor
 * and two verifiers besides its submitter, drawn from validators that declared the inference
 * capability, and the devnet has one validator: so dev accounts 1 and 2 stake the minimum validator
 * stake first, as anyone joining a network would, and the three declare the capability. The genesis
 * stays as it is (the devnet validator's 100,000 OPEN is still far more than two thirds of the
 * power, so its commits alone stay valid). Then dev account 3 submits jobs from a spec file, sees
 * them assigned and listed, follows one to its deadline and reads its attribution: the submitter
 * refunded, the executor that never posted slashed. Bad input is refused before anything is sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final List<PrivateKey> dev = DevnetGenesis.devAccounts();
  private final PrivateKey submitter = dev.get(3);
  private AscribeNode node;
  private RpcClient rpc;
  private Hash model;
  private Hash datanet;

  @TempDir Path dir;

  @BeforeAll
  void start(@TempDir Path data, @TempDir Path files) throws Exception {
    node =
        AscribeNode.start(
            new NodeConfig(
                data, DevnetGenesis.create(50).withJobVerifiers(2), dev.get(0), "127.0.0.1", 0, 0));
    rpc = new RpcClient(node.rpcUrl());

    ascribe("validator", "declare-capability", "--key", dev.get(5).toHex())
        .failsWith("has no stake, so it is not a validator");
    long staked = 0;
    for (PrivateKey joining : dev.subList(1, 3)) {
      String out = ascribe("tx", "stake", "--key", joining.toHex(), "--amount", "1000").succeeds();
      staked = Math.max(staked, CliRun.printedBlock(out));
    }
    long delay = DevnetGenesis.create().params().validatorSetDelay();
    try (HeadSubscription heads = HeadSubscription.open(node.rpcUrl())) {
      heads.awaitHeight(staked + delay + 1, WAIT);
    }
    for (PrivateKey validator : dev.subList(0, 3)) {
      assertThat(ascribe("validator", "declare-capability", "--key", validator.toHex()).succeeds())
          .contains("bonding up to 1000 OPEN")
          .contains(
              "capability active, bond 1000 OPEN; "
                  + validator.address()
                  + " takes tuning jobs as executor or verifier");
    }

    Path modelDir = Files.createDirectories(files.resolve("tiny-llama"));
    Files.writeString(
        modelDir.resolve("config.json"),
        "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64}");
    Files.write(modelDir.resolve("model.safetensors"), new byte[] {1, 2, 3, 4});
    model =
        printed(
            ascribe(
                    "model",
                    "register",
                    "--key",
                    submitter.toHex(),
                    "--dir",
                    modelDir.toString(),
                    "--licence",
                    "apache-2.0")
                .succeeds(),
            "model");
    datanet =
        printed(
            ascribe(
                    "datanet",
                    "create",
                    "--key",
                    dev.get(4).toHex(),
                    "--name",
                    "psalms",
                    "--schema",
                    "text/v1",
                    "--min-bond",
                    "1")
                .succeeds(),
            "datanet");
    Path jsonl =
        Files.write(
            files.resolve("psalms.jsonl"),
            List.of(
                "{\"text\": \"The Lord is my shepherd; I shall not want.\"}",
                "{\"prompt\": \"Who maketh me to lie down?\", \"response\": \"He, in green"
                    + " pastures.\"}"));
    ascribe(
            "datanet",
            "contribute",
            "--key",
            dev.get(4).toHex(),
            "--datanet",
            datanet.toHex(),
            "--file",
            jsonl.toString())
        .succeeds();
  }

  @AfterAll
  void stop() {
    node.close();
  }

  private CliRun ascribe(String... args) {
    List<String> withRpc = new ArrayList<>(List.of(args));
    withRpc.addAll(List.of("--rpc", node.rpcUrl()));
    return CliRun.of(withRpc.toArray(String[]::new));
  }

  /** The hash printed after {@code label} on a line of {@code out}. */
  private static Hash printed(String out, String label) {
    return CliRun.printedHash(out, label);
  }

  /** The address printed after {@code label} on a line of {@code out}. */
  private static String printedAddress(String out, String label) {
    Matcher m = Pattern.compile(Pattern.quote(label) + " +(0x[0-9a-fA-F]{40})").matcher(out);
    assertThat(m.find()).as("'%s 0x...' in %s", label, out).isTrue();
    return m.group(1);
  }

  /** A spec file as a user writes it, for a LoRA job on this test's model and datanet. */
  private Path spec(String name, String fee, long deadlineBlocks) throws IOException {
    return new LoraSpecFile(model, datanet, "0.0002", 2, 4, fee, deadlineBlocks)
        .write(dir.resolve(name));
  }

  private BigInteger balance(PrivateKey key) {
    return Quantities.parse(rpc.call("ascribe_getBalance", key.address().toString()).asText());
  }

  private long pendingNonce(PrivateKey key) {
    return Quantities.parseLong(
        rpc.call("ascribe_getNonce", key.address().toString(), "pending").asText());
  }

  @Test
  void aJobFromASpecFileIsAssignedListedFollowedToItsDeadlineAndAttributed() throws IOException {
    List<String> validators = dev.subList(0, 3).stream().map(k -> k.address().toString()).toList();
    String key = submitter.toHex();

    String submitted =
        ascribe("job", "submit", "--key", key, "--spec", spec("long.json", "2", 10_000).toString())
            .succeeds();
    Hash job = printed(submitted, "job");
    String executor = printedAddress(submitted, "executor");
    assertThat(executor).isIn(validators);
    assertThat(submitted)
        .contains("escrow     2 OPEN")
        .containsPattern("verifiers  0x[0-9a-fA-F]{40}, 0x[0-9a-fA-F]{40}")
        .contains("verified against the state root");
    assertThat(ascribe("job", "status", "--id", job.toHex()).succeeds())
        .contains("status       assigned to executor " + executor)
        .contains(
            "method       lora, rank 8, alpha 16, learning rate 0.0002, 2 epochs, batch size 4")
        .contains("submitter    " + submitter.address());
    assertThat(ascribe("job", "list", "--mine", "--key", key, "--status", "assigned").succeeds())
        .containsPattern(Pattern.quote(job.toHex()) + " +assigned +lora")
        .contains("proofs verified against");
    assertThat(ascribe("job", "list", "--executor", executor).succeeds()).contains(job.toHex());
    assertThat(ascribe("job", "list", "--status", "final").succeeds()).contains("no jobs match");
    ascribe("job", "attribution", "--id", job.toHex())
        .failsWith("is assigned, not over: its fee is attributed when it ends");

    // A job due in 100 blocks (five seconds on this devnet), followed until it expires.
    BigInteger before = balance(submitter);
    BigInteger txFee = Quantities.parse(rpc.call("ascribe_minFee").asText());
    Hash expiring =
        printed(
            ascribe("job", "submit", "--key", key, "--spec", spec("soon.json", "3", 100).toString())
                .succeeds(),
            "job");
    List<String> watched =
        ascribe("job", "status", "--id", expiring.toHex(), "--watch").succeeds().lines().toList();
    assertThat(watched.get(0)).matches("block \\d+: assigned to executor 0x.*");
    String end = watched.get(watched.size() - 1);
    assertThat(end)
        .matches(
            "block \\d+: expired at block \\d+: 3 OPEN refunded to "
                + submitter.address()
                + "; slashed executor 0x[0-9a-fA-F]{40} 100 OPEN");
    assertThat(watched).hasSize(2);
    assertThat(balance(submitter)).isEqualTo(before.subtract(txFee));

    String attribution = ascribe("job", "attribution", "--id", expiring.toHex()).succeeds();
    String slashed = printedAddress(attribution, "slashed      executor");
    assertThat(attribution)
        .contains("fee 3 OPEN paid by " + submitter.address())
        .contains("refunded     3 OPEN to " + submitter.address())
        .contains("burned       0 OPEN")
        .contains("100 OPEN from its bond (burned)")
        .contains("verified against the state root");
    JsonNode byRpc = rpc.call("ascribe_getAttribution", expiring.toHex());
    assertThat(byRpc.path("job").asText()).isEqualTo(expiring.toHex());
    assertThat(byRpc.path("slashed").get(0).path("role").asText()).isEqualTo("executor");
    assertThat(byRpc.path("slashed").get(0).path("account").asText()).isEqualTo(slashed);

    // Every capable validator is bound to the open job: undeclaring keeps the bond until it ends.
    assertThat(ascribe("validator", "undeclare", "--key", dev.get(1).toHex()).succeeds())
        .contains("capability retiring: no new jobs; 1 open job(s) still hold the bond");
  }

  @Test
  void badInputIsRefusedBeforeAnythingIsSent() throws IOException {
    String key = dev.get(6).toHex();
    long nonce = pendingNonce(dev.get(6));
    Hash unknown = Keccak.hash(new byte[] {42});

    Path good = spec("good.json", "2", 50);
    Path unknownModel =
        Files.writeString(
            dir.resolve("unknown-model.json"),
            Files.readString(good).replace(model.toHex(), unknown.toHex()));
    ascribe("job", "submit", "--key", key, "--spec", unknownModel.toString())
        .failsWith(
            "baseModel in "
                + unknownModel
                + ": no model has the id "
                + unknown
                + " on this chain (register it with: ascribe model register); nothing was sent");
    Path unknownDatanet =
        Files.writeString(
            dir.resolve("unknown-datanet.json"),
            Files.readString(good).replace(datanet.toHex(), unknown.toHex()));
    ascribe("job", "submit", "--key", key, "--spec", unknownDatanet.toString())
        .failsWith("datanet in " + unknownDatanet + ": no datanet has the id " + unknown);
    Path cheap = spec("cheap.json", "0.5", 50);
    ascribe("job", "submit", "--key", key, "--spec", cheap.toString())
        .failsWith(
            "fee 0.5 OPEN in "
                + cheap
                + " is below the minimum job fee 1 OPEN: raise \"fee\"; nothing was sent");
    Path far = spec("far.json", "2", 10_001);
    ascribe("job", "submit", "--key", key, "--spec", far.toString())
        .failsWith("deadlineBlocks 10001 in " + far + " is more than this chain allows (10000)");
    Path malformed =
        Files.writeString(
            dir.resolve("malformed.json"),
            Files.readString(good)
                .replace("\"lora\"", "\"dora\"")
                .replace("\"0.0002\"", "\"fast\""));
    ascribe("job", "submit", "--key", key, "--spec", malformed.toString())
        .failsWith(
            malformed
                + " has 2 problems, nothing was sent: method: must be one of lora, qlora,"
                + " ptuning, full, got \"dora\"; hyperparameters.learningRate: not a decimal"
                + " number: \"fast\"");
    ascribe("job", "status", "--id", unknown.toHex())
        .failsWith("no tuning job has the id " + unknown);
    ascribe("job", "list", "--mine").failsWith("--mine lists the jobs of the --key HEX");
    ascribe("job", "list", "--status", "done").failsWith("--status must be one of assigned,");

    assertThat(pendingNonce(dev.get(6))).as("nothing was sent").isEqualTo(nonce);
    assertThat(Amount.formatOpen(balance(dev.get(6)))).isEqualTo("1000000");
  }
}
