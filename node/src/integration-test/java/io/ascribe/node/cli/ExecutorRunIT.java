package io.ascribe.node.cli;

import static io.ascribe.node.cli.LifecycleSteps.balance;
import static io.ascribe.node.cli.LifecycleSteps.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.GenesisWriter;
import io.ascribe.node.api.ChainApi;
import io.ascribe.node.client.RpcClientException;
import io.ascribe.node.config.NodeHome;
import io.ascribe.node.config.NodeSettings;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ascribe run --home DIR --executor --work-dir W} in a process of its own, as an operator
 * starts an executor: a home made by {@code ascribe init} on the devnet genesis, a model registered
 * and a datanet of Proverbs verses contributed through the CLI. A chat prompt longer than the
 * model's context is refused with both lengths and the fix, and charges nothing; the job journal
 * and checkpoints of a tuning job land under {@code --work-dir}, not under the home.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecutorRunIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LONG_WAIT = Duration.ofMinutes(5);

  /** The context of {@link LifecycleSteps#model}, in tokens. */
  private static final int CONTEXT = 512;

  private final List<PrivateKey> dev = DevnetGenesis.devAccounts();
  private final PrivateKey validator = dev.get(0);
  private final PrivateKey submitter = dev.get(1);
  private final PrivateKey contributor = dev.get(3);

  private Path dir;
  private Path home;
  private Path workDir;
  private Path log;
  private ProcessHandle node;
  private String rpc;
  private Hash model;
  private Hash datanet;

  @BeforeAll
  void startTheExecutor(@TempDir Path dir) throws Exception {
    this.dir = dir;
    Path models = dir.resolve("models");
    Path modelDir = LifecycleSteps.model(dir, models.resolve("proverbs"));
    Path genesis = dir.resolve("genesis.json");
    GenesisWriter.write(DevnetGenesis.create(200), genesis);
    home = dir.resolve("home");
    cli(
        null,
        "init",
        "--home",
        home.toString(),
        "--genesis",
        genesis.toString(),
        "--key",
        validator.toHex());
    int rpcPort = TestnetCommand.freePort();
    new NodeHome(home)
        .writeSettings(
            new NodeSettings(
                new NodeSettings.Rpc("127.0.0.1", rpcPort),
                new NodeSettings.Metrics("127.0.0.1", -1),
                new NodeSettings.P2p("127.0.0.1", TestnetCommand.freePort(), List.of())));
    // Outside the home, so that anything the executor wrote to HOME/work would show.
    workDir = dir.resolve("scratch/executor-work");
    log = dir.resolve("node.log");
    node =
        ProcessHandle.of(
                TestnetCommand.launchAscribe(
                    List.of(
                        "run",
                        "--home",
                        home.toString(),
                        "--executor",
                        "--models",
                        models.toString(),
                        "--work-dir",
                        workDir.toString()),
                    log))
            .orElseThrow();
    rpc = LocalTestnet.awaitRpc("http://127.0.0.1:" + rpcPort);
    LocalTestnet.await(
        "the executor declares the inference capability by itself",
        () -> LocalTestnet.rpc(rpc).call("ascribe_getCapability", validator.address().toString()),
        c -> !c.isNull());

    model =
        CliRun.printedHash(
            cli(
                rpc,
                "model",
                "register",
                "--key",
                submitter.toHex(),
                "--dir",
                modelDir.toString(),
                "--licence",
                "apache-2.0"),
            "model");
    datanet =
        CliRun.printedHash(
            cli(
                rpc,
                "datanet",
                "create",
                "--key",
                dev.get(2).toHex(),
                "--name",
                "proverbs",
                "--schema",
                "text/v1",
                "--min-bond",
                "1"),
            "datanet");
    Path verses = Files.write(dir.resolve("verses.jsonl"), LifecycleSteps.verses().subList(0, 8));
    cli(
        rpc,
        "datanet",
        "contribute",
        "--key",
        contributor.toHex(),
        "--datanet",
        datanet.toHex(),
        "--file",
        verses.toString());
  }

  @AfterAll
  void stopTheExecutor() throws Exception {
    if (node == null) {
      return;
    }
    node.destroy();
    try {
      node.onExit().get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      node.destroyForcibly();
    }
  }

  /** {@link LocalTestnet#await} for a long while, failing with the tail of the node's log. */
  private <T> void awaitOrShowLog(String what, Supplier<T> probe, Predicate<T> done) {
    try {
      LocalTestnet.await(what, LONG_WAIT, probe, done);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\nnode log:\n" + nodeLog(), e);
    }
  }

  /** The last lines of the node's log. */
  private String nodeLog() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private CliRun chat(PrivateKey asker, String prompt, String topK) {
    return CliRun.of(
        "chat",
        "--key",
        asker.toHex(),
        "--model",
        model.toHex(),
        "--datanet",
        datanet.toHex(),
        "--prompt",
        prompt,
        "--top-k",
        topK,
        "--max-tokens",
        "4",
        "--json",
        "--rpc",
        rpc);
  }

  /** The user's authorisation nonce and spending as the executor quotes them, held receipts in. */
  private JsonNode quote(PrivateKey user) {
    return LocalTestnet.rpc(rpc).call("ascribe_inferenceQuote", user.address().toString());
  }

  private void assertNeverPaid(PrivateKey user) {
    assertThatThrownBy(
            () ->
                LocalTestnet.rpc(rpc)
                    .call("ascribe_getFeeAuthorisations", user.address().toString()))
        .isInstanceOfSatisfying(
            RpcClientException.class, e -> assertThat(e.code()).isEqualTo(ChainApi.NOT_FOUND))
        .hasMessageContaining("has never paid for an inference request");
  }

  @Test
  void aPromptOverTheContextIsRefusedWithBothLengthsAndChargesNothing() {
    PrivateKey asker = dev.get(8);
    BigInteger before = balance(rpc, asker.address());
    assertNeverPaid(asker);
    JsonNode quoted = quote(asker);

    String question = "What maketh a glad father, and what delivereth from death? ";
    String prompt = String.join("", Collections.nCopies(12, question)).strip();
    CliRun refused = chat(asker, prompt, "1");
    assertThat(
            refused.failsWith(
                "tokens, but the model's context is "
                    + CONTEXT
                    + " tokens and the answer needs at least one: shorten the prompt or retrieve"
                    + " fewer documents (k)"))
        .as("no answer printed")
        .isEmpty();
    Matcher lengths =
        Pattern.compile("the prompt with its 1 retrieved documents is (\\d+) tokens")
            .matcher(refused.err());
    assertThat(lengths.find()).as("the prompt's own length in: %s", refused.err()).isTrue();
    assertThat(Integer.parseInt(lengths.group(1))).isGreaterThan(CONTEXT);

    // Nothing charged or held: the same nonce and spending are quoted, no authorisation is used.
    assertThat(quote(asker)).isEqualTo(quoted);
    assertNeverPaid(asker);
    assertThat(balance(rpc, asker.address())).isEqualTo(before);

    // A question that fits, asked next with the very same nonce, is answered and is the only
    // receipt the executor posts for this user: the refused one was never kept to be batched.
    JsonNode answer = null;
    try {
      answer = JSON.readTree(chat(asker, "What maketh a glad father?", "2").succeeds());
    } catch (IOException e) {
      throw new AssertionError("chat --json printed no JSON", e);
    }
    Hash answered = Hash.fromHex(answer.path("requestHash").asText());
    BigInteger price = Quantities.parse(quoted.path("minFee").asText());
    awaitOrShowLog(
        "the one answered question's receipt is committed and charged",
        () -> balance(rpc, asker.address()),
        b -> b.equals(before.subtract(price)));
    JsonNode paid =
        LocalTestnet.rpc(rpc).call("ascribe_getFeeAuthorisations", asker.address().toString());
    assertThat(paid.path("usedNonces"))
        .extracting(JsonNode::asText)
        .containsExactly(quoted.path("nonce").asText());
    assertThat(Quantities.parse(paid.path("spent").asText())).isEqualTo(price);
    List<String> receipts = new ArrayList<>();
    for (JsonNode batch :
        LocalTestnet.rpc(rpc)
            .call(
                "ascribe_listInferenceBatches", Map.of("executor", validator.address().toString()))
            .path("batches")) {
      for (JsonNode receipt : batch.path("receipts")) {
        if (receipt.path("user").asText().equals(asker.address().toString())) {
          receipts.add(receipt.path("requestHash").asText());
        }
      }
    }
    assertThat(receipts).containsExactly(answered.toHex());
  }

  @Test
  void aJobsJournalAndCheckpointsLandInTheWorkDirNotTheHome() throws Exception {
    Hash job =
        CliRun.printedHash(
            cli(
                rpc,
                "job",
                "submit",
                "--key",
                submitter.toHex(),
                "--spec",
                new LoraSpecFile(model, datanet, "0.005", 1, 2, "10", 3000)
                    .write(dir.resolve("job.json"))
                    .toString()),
            "job");
    awaitOrShowLog(
        "the executor trains and posts the job",
        () -> LocalTestnet.rpc(rpc).call("ascribe_getJobWork", job.toHex()),
        w -> w.path("phase").asText().equals("done"));

    Path jobDir = workDir.resolve("jobs").resolve(job.toHex());
    assertThat(jobDir.resolve("journal.json")).isRegularFile();
    assertThat(JSON.readTree(jobDir.resolve("journal.json").toFile()).path("job").asText())
        .isEqualTo(job.toHex());
    assertThat(jobDir.resolve("checkpoint").resolve("job.json")).isRegularFile();
    assertThat(jobDir.resolve("adapter.safetensors")).isRegularFile();
    assertThat(Files.readString(log))
        .as("the banner tells the operator where the work goes")
        .contains("work in " + workDir);
    assertThat(home.resolve("work")).as("the default work dir, unused").doesNotExist();
    try (var files = Files.walk(home)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no journal anywhere in the home")
          .doesNotContain("journal.json");
    }
  }
}
