package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.ai.DataRecord;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.Keystore;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.node.AscribeNode;
import io.ascribe.node.NodeConfig;
import io.ascribe.node.client.RpcClient;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data side from the command line against a devnet node on free ports: open a datanet,
 * contribute a JSON Lines file (with an exact and a near copy in it) and a text file, read
 * everything back with proofs checked by the CLI, register a model from its files; and every kind
 * of bad input refused before anything is sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HASH = Pattern.compile("0x[0-9a-f]{64}");

  private final List<PrivateKey> dev = DevnetGenesis.devAccounts();
  private AscribeNode node;
  private RpcClient rpc;

  @TempDir Path dir;

  @BeforeAll
  void start(@TempDir Path data) throws IOException {
    node =
        AscribeNode.start(
            new NodeConfig(data, DevnetGenesis.create(50), dev.get(0), "127.0.0.1", 0, 0));
    rpc = new RpcClient(node.rpcUrl());
  }

  @AfterAll
  void stop() {
    node.close();
  }

  /** Runs the program against this test's node. */
  private CliRun ascribe(String... args) {
    List<String> withRpc = new ArrayList<>(List.of(args));
    withRpc.addAll(List.of("--rpc", node.rpcUrl()));
    return CliRun.of(withRpc.toArray(String[]::new));
  }

  private CliRun contribute(PrivateKey key, Hash datanet, Path jsonl, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "datanet",
                "contribute",
                "--key",
                key.toHex(),
                "--datanet",
                datanet.toHex(),
                "--file",
                jsonl.toString()));
    args.addAll(List.of(more));
    return ascribe(args.toArray(String[]::new));
  }

  /** The hash printed after {@code label} on a line of {@code out}. */
  private static Hash printed(String out, String label) {
    return CliRun.printedHash(out, label);
  }

  private long pendingNonce(PrivateKey key) {
    return Quantities.parseLong(
        rpc.call("ascribe_getNonce", key.address().toString(), "pending").asText());
  }

  private BigInteger balance(PrivateKey key) {
    return Quantities.parse(rpc.call("ascribe_getBalance", key.address().toString()).asText());
  }

  private Hash createDatanet(PrivateKey owner, String name, String minBond) {
    CliRun run =
        ascribe(
            "datanet",
            "create",
            "--key",
            owner.toHex(),
            "--name",
            name,
            "--schema",
            "text/v1",
            "--min-bond",
            minBond);
    return printed(run.succeeds(), "datanet");
  }

  private static String line(String... fieldsAndValues) {
    ObjectNode record = JSON.createObjectNode();
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      record.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
    }
    return record.toString();
  }

  /** {@code count} words drawn with a fixed seed: a text no other test shares. */
  private static List<String> words(int count, long seed) {
    Random random = new Random(seed);
    List<String> words = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      words.add("w" + Integer.toString(random.nextInt(1 << 20), 36));
    }
    return words;
  }

  @Test
  void createContributeReadBackWithProofsAndRegisterAModel() throws IOException {
    PrivateKey owner = dev.get(1);
    PrivateKey contributor = dev.get(2);
    Hash datanet = createDatanet(owner, "fortunes", "2");

    List<String> original = words(150, 1);
    List<String> nearCopy = new ArrayList<>(original);
    nearCopy.set(75, "changed");
    String text = String.join(" ", original);
    Path jsonl =
        Files.write(
            dir.resolve("fortunes.jsonl"),
            List.of(
                line("text", text),
                line("prompt", "Who wrote Hamlet?", "response", "William Shakespeare."),
                "",
                line("text", String.join(" ", words(80, 2))),
                // Same canonical bytes as line 1 despite the spacing: an exact copy.
                "{ \"text\" :  " + JSON.writeValueAsString(text) + " }",
                line("text", String.join(" ", nearCopy))));
    BigInteger minFee = Quantities.parse(rpc.call("ascribe_minFee").asText());
    BigInteger before = balance(contributor);

    String out =
        contribute(contributor, datanet, jsonl)
            .failsWith("2 of 5 records were refused (see above): they paid the fee, not the bond");

    Hash first = printed(out, "line 1: contribution");
    Hash second = printed(out, "line 2: contribution");
    Hash fourth = printed(out, "line 4: contribution");
    assertThat(out).contains("line 5: refused, exact duplicate of contribution " + first);
    assertThat(out).contains("line 6: refused, near duplicate of contribution " + first);
    assertThat(out).doesNotContain("line 3");
    // The node holds each record's bytes under the content hash its contribution records.
    for (Hash contribution : List.of(first, second, fourth)) {
      Hash contentHash =
          Hash.fromHex(
              rpc.call("ascribe_getContribution", contribution.toHex())
                  .path("contentHash")
                  .asText());
      assertThat(Keccak.hash(rpc.getContent(contentHash))).isEqualTo(contentHash);
    }
    assertThat(rpc.getContent(new DataRecord.Text(text).contentHash()))
        .isEqualTo(new DataRecord.Text(text).canonicalBytes());
    assertThat(
            rpc.getContent(
                new DataRecord.PromptResponse("Who wrote Hamlet?", "William Shakespeare.")
                    .contentHash()))
        .isEqualTo(
            new DataRecord.PromptResponse("Who wrote Hamlet?", "William Shakespeare.")
                .canonicalBytes());
    BigInteger bond = Amount.parseOpen("2");
    assertThat(before.subtract(balance(contributor)))
        .as("three bonds and five fees")
        .isEqualTo(
            bond.multiply(BigInteger.valueOf(3)).add(minFee.multiply(BigInteger.valueOf(5))));

    // A whole text file, signed with a keystore instead of a hex key.
    Path keystore =
        Files.writeString(
            dir.resolve("owner.json"), Keystore.encrypt(owner, "pw", new SecureRandom(), 1024));
    Path password = Files.writeString(dir.resolve("password"), "pw\n");
    Path psalm =
        Files.writeString(dir.resolve("psalm.txt"), "The Lord is my shepherd; I shall not want.\n");
    String textOut =
        ascribe(
                "datanet",
                "contribute",
                "--keystore",
                keystore.toString(),
                "--password-file",
                password.toString(),
                "--datanet",
                datanet.toHex(),
                "--text-file",
                psalm.toString(),
                "--bond",
                "2.5")
            .succeeds();
    Hash fifth = printed(textOut, "psalm.txt: contribution");
    DataRecord psalmRecord = new DataRecord.Text(Files.readString(psalm));
    assertThat(rpc.getContent(psalmRecord.contentHash())).isEqualTo(psalmRecord.canonicalBytes());
    assertThat(textOut).contains("1 record added to datanet " + datanet);

    assertThat(ascribe("datanet", "list").succeeds())
        .containsPattern(
            Pattern.quote(datanet.toHex()) + " +fortunes +schema text/v1 +min bond 2 OPEN")
        .contains("proofs verified against the state root");
    String shown =
        ascribe("datanet", "show", "--id", datanet.toHex(), "--contributions").succeeds();
    assertThat(shown)
        .contains("name        fortunes", "owner       " + owner.address(), "4 contributions")
        .contains("verified against the state root");
    List<String> shownIds =
        shown
            .lines()
            .filter(l -> l.startsWith("  0x"))
            .map(l -> HASH.matcher(l).results().findFirst().orElseThrow().group())
            .toList();
    assertThat(shownIds)
        .containsExactlyInAnyOrder(first.toHex(), second.toHex(), fourth.toHex(), fifth.toHex());
    assertThat(shown)
        .containsPattern(Pattern.quote(fifth.toHex()) + " +active +\\d+ bytes +bond 2.5 OPEN");

    Path model = Files.createDirectories(dir.resolve("tiny-llama"));
    Files.writeString(
        model.resolve("config.json"),
        "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64}");
    Files.write(model.resolve("model.safetensors"), new byte[] {1, 2, 3, 4});
    String registered =
        ascribe(
                "model",
                "register",
                "--key",
                owner.toHex(),
                "--dir",
                model.toString(),
                "--licence",
                "apache-2.0")
            .succeeds();
    Hash modelId = printed(registered, "model");

    assertThat(
            ascribe("model", "show", "--id", modelId.toHex(), "--dir", model.toString()).succeeds())
        .contains("architecture  LlamaForCausalLM", "licence       apache-2.0")
        .contains("config hash   " + Keccak.hash(Files.readAllBytes(model.resolve("config.json"))))
        .contains("the files in " + model + " match");
    Files.write(model.resolve("model.safetensors"), new byte[] {1, 2, 3, 5});
    ascribe("model", "show", "--id", modelId.toHex(), "--dir", model.toString())
        .failsWith("are not model " + modelId);
  }

  @Test
  void badInputIsRefusedBeforeAnythingIsSent() throws IOException {
    PrivateKey owner = dev.get(3);
    Hash datanet = createDatanet(owner, "strict", "5");
    Hash unknown = Keccak.hash(new byte[] {42});
    Path good = Files.write(dir.resolve("good.jsonl"), List.of(line("text", "a fine record")));
    long nonce = pendingNonce(owner);

    ascribe("datanet", "show", "--id", unknown.toHex())
        .failsWith("no datanet has the id " + unknown);
    ascribe("model", "show", "--id", unknown.toHex()).failsWith("no model has the id " + unknown);
    ascribe("datanet", "show", "--id", "0x1234")
        .failsWith("--id must be a 32-byte id in 0x-prefixed hex");
    contribute(owner, unknown, good).failsWith("no datanet has the id " + unknown);

    Path malformed =
        Files.write(
            dir.resolve("malformed.jsonl"),
            List.of(line("text", "fine"), "{\"text\": \"no closing quote}", line("text", "ok")));
    contribute(owner, datanet, malformed)
        .failsWith("has 1 malformed record, nothing was sent: line 2: not JSON");
    contribute(owner, datanet, good, "--bond", "4.99")
        .failsWith(
            "bond 4.99 OPEN is below datanet "
                + datanet
                + "'s minimum bond 5 OPEN: pass --bond 5 or more; nothing was sent");

    ascribe("datanet", "contribute", "--datanet", datanet.toHex(), "--file", good.toString())
        .failsWith("name the sender's key with --key HEX or --keystore FILE");
    ascribe(
            "datanet",
            "create",
            "--key",
            owner.toHex(),
            "--name",
            "x",
            "--schema",
            "s",
            "--min-bond",
            "1",
            "--near-dup-bps",
            "0")
        .failsWith("--near-dup-bps must be 1 to 10000");
    ascribe(
            "model",
            "register",
            "--key",
            owner.toHex(),
            "--dir",
            dir.toString(),
            "--licence",
            "mit")
        .failsWith("has no config.json");

    assertThat(pendingNonce(owner)).as("nothing was sent").isEqualTo(nonce);
  }
}
