package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ascribe bench tuning}'s refusals, which come before any data is read or model loaded. */
class BenchCommandTest {
  @TempDir Path dir;

  private record Run(int exitCode, String out, String err) {}

  private static Run ascribe(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private Run tuning(String... more) {
    String[] args = new String[more.length + 4];
    args[0] = "bench";
    args[1] = "tuning";
    args[2] = "--work-dir";
    args[3] = dir.resolve("bench").toString();
    System.arraycopy(more, 0, args, 4, more.length);
    return ascribe(args);
  }

  @Test
  void anUnknownMethodIsNamedWithTheChoices() {
    Run r = tuning("--methods", "lora,prompt");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err())
        .contains("error: --methods: 'prompt' is not one of lora, ptuning, qlora, full")
        .doesNotContain("Exception");
    assertThat(Files.exists(dir.resolve("bench"))).isFalse();
  }

  @Test
  void budgetsMustBeUsable() {
    assertThat(tuning("--steps", "0").err()).contains("--steps must be at least 1, got 0");
    assertThat(tuning("--pretrain-steps", "-1").err())
        .contains("--pretrain-steps must be at least 1");
    assertThat(tuning("--test-prompts", "1").err()).contains("--test-prompts must be 2 to 1000");
    assertThat(tuning("--worker", "lora").err()).contains("--worker needs --result FILE");
  }
}
