package io.ascribe.node.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a keystore password comes from: the first line of a file, else {@code
 * $ASCRIBE_KEY_PASSWORD}, else a prompt on the terminal.
 */
final class Passwords {
  private Passwords() {}

  /**
   * The password.
   *
   * @param file the password file given, or null
   * @param confirm whether a prompt asks twice (for a password that is being set)
   */
  static String read(Path file, boolean confirm) {
    if (file != null) {
      try {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return lines.isEmpty() ? "" : lines.get(0);
      } catch (IOException e) {
        throw new UserErrorException("cannot read password file " + file + ": " + e.getMessage());
      }
    }
    String env = System.getenv("ASCRIBE_KEY_PASSWORD");
    if (env != null) {
      return env;
    }
    java.io.Console console = System.console();
    if (console == null) {
      throw new UserErrorException(
          "no password given: pass --password-file FILE or set ASCRIBE_KEY_PASSWORD");
    }
    String password = new String(console.readPassword("Password: "));
    if (confirm && !password.equals(new String(console.readPassword("Repeat password: ")))) {
      throw new UserErrorException("the passwords differ; nothing was written");
    }
    return password;
  }
}
