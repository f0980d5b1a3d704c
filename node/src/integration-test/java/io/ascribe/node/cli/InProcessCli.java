package io.ascribe.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs an {@code ascribe} command in this JVM, as a user would type it, and keeps its output. */
final class InProcessCli {
  private InProcessCli() {}

  /** The exit code and what the command printed. */
  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }
}
