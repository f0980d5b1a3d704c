package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The inference commands a user types, on a tiny model the test creates: {@code model create → tune
 * → generate → eval} end to end, stopping {@code tune} with SIGTERM (what Ctrl-C does to the JVM)
 * in a real process and resuming it, and the mistakes each command refuses. The tokenizer is the
 * hand-written byte-level BPE of the inference module's tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InferenceCliIT {
  private static final String CONFIG =
      """
      {"model_type": "llama", "hidden_size": 32, "intermediate_size": 64,
       "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
       "vocab_size": 275, "max_position_embeddings": 48, "rms_norm_eps": 1e-5}
      """;
  private static final Pattern LOSS = Pattern.compile("loss (\\d+\\.\\d+) → (\\d+\\.\\d+)");

  private Path dir;
  private Path config;
  private Path tokenizer;
  private Path data;
  private Path base;

  /** What one run of the program printed and the exit code it returned. */
  private record Run(int exitCode, String out, String err) {}

  private static Run ascribe(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exitCode = cli.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  private static String succeeds(Run run) {
    assertThat(run.err()).as("stderr").isEmpty();
    assertThat(run.exitCode()).as("exit code; stdout: %s", run.out()).isZero();
    return run.out();
  }

  /** Exit 1 and one "error: " line that names the mistake, without a stack trace. */
  private static void failsWith(Run run, String expected) {
    assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(1);
    assertThat(run.err().lines().toList())
        .as("stderr")
        .singleElement()
        .satisfies(line -> assertThat(line).startsWith("error: ").contains(expected));
    assertThat(run.err()).doesNotContain("at io.", "Exception");
  }

  /** The directory holding {@code mvnw}, found from the working directory up. */
  private static Path repoRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("mvnw"))) {
        return p;
      }
    }
    throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
  }

  @BeforeAll
  void createModel(@TempDir Path dir) throws IOException {
    this.dir = dir;
    config = Files.writeString(dir.resolve("config.json"), CONFIG);
    tokenizer =
        repoRoot().resolve("inference-module/src/test/resources/tokenizer/bpe/tokenizer.json");
    StringBuilder jsonl = new StringBuilder();
    for (String[] p :
        new String[][] {
          {"Paris", "france"}, {"Rome", "italy"}, {"Lima", "peru"}, {"Oslo", "norway"}
        }) {
      jsonl.append(
          "{\"prompt\": \"city: %s\\ncountry:\", \"response\": \" %s\"}\n".formatted(p[0], p[1]));
    }
    data = Files.writeString(dir.resolve("train.jsonl"), jsonl);
    base = dir.resolve("base");
    String out =
        succeeds(
            ascribe(
                "model",
                "create",
                "--config",
                config.toString(),
                "--out",
                base.toString(),
                "--seed",
                "7",
                "--tokenizer",
                tokenizer.toString()));
    assertThat(out).contains("wrote " + base, "BPE tokenizer", "2 layers");
    assertThat(base.resolve("config.json")).exists();
    assertThat(base.resolve("model.safetensors")).exists();
    assertThat(base.resolve("tokenizer.json")).hasSameTextualContentAs(tokenizer);
  }

  /** {@code ascribe tune} on {@code dataFile} into {@code out}, with {@code more} options. */
  private String[] tune(Path dataFile, Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "tune",
                "--base",
                base.toString(),
                "--data",
                dataFile.toString(),
                "--lr",
                "1e-2",
                "--seed",
                "1",
                "--out",
                out.toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** Rank-4 LoRA on the training data into {@code out}. */
  private String[] lora(Path out, String... more) {
    List<String> args = new ArrayList<>(List.of("--method", "lora", "--rank", "4", "--alpha", "8"));
    args.addAll(List.of(more));
    return tune(data, out, args.toArray(String[]::new));
  }

  private static double value(String out, String label) {
    Matcher m = Pattern.compile(Pattern.quote(label) + " +(\\S+)").matcher(out);
    assertThat(m.find()).as("%s in %s", label, out).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void createTuneGenerateAndEvalEndToEnd() throws IOException {
    Path adapter = dir.resolve("adapter");
    String out =
        succeeds(ascribe(lora(adapter, "--epochs", "6", "--batch", "2", "--log-every", "4")));
    assertThat(out.lines().filter(l -> l.startsWith("step ")))
        .hasSize(3) // steps 4, 8 and the last, 12
        .allSatisfy(l -> assertThat(l).matches("step \\d+/12  loss \\d+\\.\\d{4}  lr .* tokens/s"));
    Matcher loss = LOSS.matcher(out);
    assertThat(loss.find()).as(out).isTrue();
    assertThat(Double.parseDouble(loss.group(2))).isLessThan(Double.parseDouble(loss.group(1)));
    assertThat(adapter.resolve("adapter_model.safetensors")).exists();
    assertThat(Files.readString(adapter.resolve("adapter_config.json")))
        .contains("\"peft_type\" : \"LORA\"", "\"r\" : 4", "\"base_model_sha256\" : \"");

    String[] generate = {
      "generate",
      "--base",
      base.toString(),
      "--adapter",
      adapter.toString(),
      "--prompt",
      "city: Rome\ncountry:",
      "--max-tokens",
      "6",
      "--temperature",
      "0.8",
      "--top-k",
      "40",
      "--seed",
      "3"
    };
    String text = succeeds(ascribe(generate));
    assertThat(text).endsWith("\n");
    assertThat(succeeds(ascribe(generate))).as("seeded sampling repeats").isEqualTo(text);
    assertThat(succeeds(ascribe("generate", "--base", base.toString(), "--prompt", "the lower")))
        .endsWith("\n");

    String tuned =
        succeeds(
            ascribe(
                "eval",
                "--base",
                base.toString(),
                "--adapter",
                adapter.toString(),
                "--data",
                data.toString(),
                "--max-tokens",
                "6"));
    String untuned =
        succeeds(
            ascribe(
                "eval", "--base", base.toString(), "--data", data.toString(), "--max-tokens", "6"));
    for (String label : List.of("ROUGE-1 F", "ROUGE-2 F", "ROUGE-L F")) {
      assertThat(value(tuned, label)).isBetween(0.0, 1.0);
    }
    assertThat(value(tuned, "examples")).isEqualTo(4);
    double ppl = value(tuned, "perplexity");
    assertThat(ppl).isGreaterThan(1).isLessThan(value(untuned, "perplexity"));

    // The adapter names its base: another model of the same shape is refused.
    Path other = dir.resolve("other");
    succeeds(
        ascribe(
            "model",
            "create",
            "--config",
            config.toString(),
            "--out",
            other.toString(),
            "--seed",
            "8",
            "--tokenizer",
            tokenizer.toString()));
    failsWith(
        ascribe(
            "generate",
            "--base",
            other.toString(),
            "--adapter",
            adapter.toString(),
            "--prompt",
            "x"),
        "is an adapter for another base model");
  }

  @Test
  void sigtermStopsTuningWithACheckpointAndTheSameCommandResumes()
      throws IOException, InterruptedException {
    Path out = dir.resolve("interrupted");
    // 300 steps of batch 1: far more than run between the first progress line and the signal.
    String[] args = lora(out, "--epochs", "75", "--batch", "1", "--log-every", "1");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dai.djl.offline=true",
                "-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR"),
                "-DENGINE_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR"),
                "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp",
                System.getProperty("java.class.path"),
                "io.ascribe.node.cli.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("OMP_NUM_THREADS", "1");
    Process process = builder.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean signalled = false;
      while ((line = in.readLine()) != null) {
        lines.add(line);
        if (!signalled && line.startsWith("step ")) {
          // SIGTERM, through the handle: Process.destroy() would also close our end of stdout.
          // The JVM runs its shutdown hooks, as on Ctrl-C.
          process.toHandle().destroy();
          signalled = true;
        }
      }
    } finally {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    String printed = String.join("\n", lines);
    assertThat(printed).contains("stopping after this step; writing a checkpoint");
    Matcher stopped = Pattern.compile("stopped at step (\\d+) of 300").matcher(printed);
    assertThat(stopped.find()).as(printed).isTrue();
    int at = Integer.parseInt(stopped.group(1));
    assertThat(at).isBetween(1, 299);
    assertThat(Files.readString(out.resolve("checkpoint/trainer_state.json")))
        .contains("\"step\" : " + at);
    assertThat(out.resolve("adapter_config.json"))
        .as("no adapter from a stopped run")
        .doesNotExist();

    String resumed =
        succeeds(ascribe(lora(out, "--epochs", "75", "--batch", "1", "--log-every", "100")));
    assertThat(resumed)
        .contains("resumed from step " + at, "step 300/300", "wrote the lora adapter");
    assertThat(out.resolve("adapter_config.json")).exists();

    // Other options than the checkpoint's: refused, naming the way out.
    failsWith(
        ascribe(lora(out, "--epochs", "2", "--batch", "1")),
        "use another --out, or delete " + out.resolve("checkpoint"));
  }

  @Test
  void mistakesAreRefusedWithOneLineNamingTheFix() throws IOException {
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(
        bad, "{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\", \"response\": \n");
    failsWith(
        ascribe("eval", "--base", base.toString(), "--data", bad.toString()),
        bad + ":2: not valid JSON");
    Files.writeString(
        bad,
        "{\"prompt\": \"a\", \"response\": \"b\"}\n\n{\"prompt\": \"a\", \"answer\": \"b\"}\n");
    failsWith(
        ascribe("eval", "--base", base.toString(), "--data", bad.toString()),
        bad + ":3: no \"response\" field");
    Files.writeString(bad, "{\"prompt\": \"" + "x".repeat(60) + "\", \"response\": \"b\"}\n");
    failsWith(
        ascribe(tune(bad, dir.resolve("long"), "--method", "lora")),
        bad + ":1: the prompt is 60 tokens, longer than the model's context of 48");

    failsWith(
        ascribe(tune(data, dir.resolve("r0"), "--method", "lora", "--rank", "0")),
        "--rank must be at least 1, got 0");
    failsWith(
        ascribe(tune(data, dir.resolve("m"), "--method", "sft")),
        "--method must be one of lora, qlora, ptuning, full");
    failsWith(
        ascribe("generate", "--base", dir.resolve("nowhere").toString(), "--prompt", "x"),
        "no such directory; make one with ascribe model create");

    Path noTokenizer = dir.resolve("none/tokenizer.json");
    failsWith(create(noTokenizer), noTokenizer + ": no such file");
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"model\": {\"type\": ");
    failsWith(create(broken), broken + ": not valid JSON at line 1");
    Path wordPiece =
        Files.writeString(
            dir.resolve("sp.json"), "{\"model\": {\"type\": \"SentencePiece\", \"vocab\": {}}}");
    failsWith(create(wordPiece), "tokenizer model type 'SentencePiece' is not supported");
    failsWith(
        ascribe(
            "model",
            "create",
            "--config",
            config.toString(),
            "--out",
            base.toString(),
            "--seed",
            "1"),
        base + " already holds a model");
  }

  private Run create(Path tokenizerFile) {
    return ascribe(
        "model",
        "create",
        "--config",
        config.toString(),
        "--out",
        dir.resolve("never").toString(),
        "--seed",
        "1",
        "--tokenizer",
        tokenizerFile.toString());
  }
}
