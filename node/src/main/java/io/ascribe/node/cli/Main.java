package io.ascribe.node.cli;

import picocli.CommandLine;

/** Entry point of the {@code ascribe} program. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, shared with tests that run commands in-process. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new AscribeCommand());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (ExpectedErrors.isExpected(e)) {
            commandLine.getErr().println("error: " + e.getMessage());
          } else {
            e.printStackTrace(commandLine.getErr());
          }
          return 1;
        });
    return cli;
  }
}
