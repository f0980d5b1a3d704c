package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * One run of the {@code ascribe} program in this JVM: what it printed and the exit code it
 * returned, with the checks the CLI tests make of it.
 */
record CliRun(int exitCode, String out, String err) {

  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exitCode = cli.execute(args);
    return new CliRun(exitCode, out.toString(), err.toString());
  }

  /** Asserts the run succeeded and returns what it printed. */
  String succeeds() {
    assertThat(err).as("stderr").isEmpty();
    assertThat(exitCode).as("exit code; stdout: %s", out).isZero();
    return out;
  }

  /**
   * Asserts the run failed the way a user mistake should: exit 1 and one "error: " line containing
   * {@code expected}, no stack trace. Returns what it printed on stdout before failing.
   */
  String failsWith(String expected) {
    assertThat(exitCode).as("exit code; stderr: %s", err).isEqualTo(1);
    assertThat(err.lines().toList())
        .as("stderr")
        .singleElement()
        .satisfies(line -> assertThat(line).startsWith("error: ").contains(expected));
    assertThat(err).doesNotContain("at io.", "Exception");
    return out;
  }

  /** The block a transaction command printed it was included in ("included in block N"). */
  static long printedBlock(String out) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("included in block (\\d+)").matcher(out);
    assertThat(m.find()).as("'included in block N' in %s", out).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** The hash printed after {@code label} (and spaces) on a line of {@code out}. */
  static io.ascribe.core.types.Hash printedHash(String out, String label) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(label) + " +(0x[0-9a-f]{64})")
            .matcher(out);
    assertThat(m.find()).as("'%s 0x...' in %s", label, out).isTrue();
    return io.ascribe.core.types.Hash.fromHex(m.group(1));
  }
}
