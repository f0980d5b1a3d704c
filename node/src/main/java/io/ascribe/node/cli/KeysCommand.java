package io.ascribe.node.cli;

import io.ascribe.core.crypto.Keystore;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.node.config.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe keys ...}: keys kept as Ethereum keystore v3 files (the format wallets and geth
 * use), one file per key in the keys directory, named by creation time and address as geth does.
 */
@Command(
    name = "keys",
    description = "Create, import and list keys (encrypted keystore v3 files).",
    subcommands = {KeysCommand.New.class, KeysCommand.Import.class, KeysCommand.ListKeys.class})
final class KeysCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where keys live and how the password is given. */
  static final class KeyDirOptions {
    @Option(
        names = "--keys-dir",
        paramLabel = "DIR",
        description = "Directory of keystore files (default: ~/.ascribe/keys).")
    Path dir;

    @Option(
        names = "--password-file",
        paramLabel = "FILE",
        description =
            "File whose first line is the password (default: $ASCRIBE_KEY_PASSWORD, else a prompt).")
    Path passwordFile;

    Path dir() {
      return dir != null ? dir : Path.of(System.getProperty("user.home"), ".ascribe", "keys");
    }

    String password(boolean confirm) {
      return Passwords.read(passwordFile, confirm);
    }

    /** Writes the keystore file atomically, so a crash never leaves half a key behind. */
    Path save(PrivateKey key, String password) {
      Address address = key.address();
      String name =
          "UTC--"
              + DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSS'Z'")
                  .format(ZonedDateTime.now(ZoneOffset.UTC))
              + "--"
              + address.toString().substring(2).toLowerCase();
      try {
        Files.createDirectories(dir());
        for (Path existing : files()) {
          if (existing
              .getFileName()
              .toString()
              .endsWith(address.toString().substring(2).toLowerCase())) {
            throw new UserErrorException("a key for " + address + " is already in " + existing);
          }
        }
        Path target = dir().resolve(name);
        AtomicFiles.write(target, Keystore.encrypt(key, password, new SecureRandom()), true);
        return target;
      } catch (IOException e) {
        throw new UserErrorException("cannot write to " + dir() + ": " + e.getMessage());
      }
    }

    List<Path> files() throws IOException {
      if (!Files.isDirectory(dir())) {
        return List.of();
      }
      try (Stream<Path> files = Files.list(dir())) {
        return new ArrayList<>(
            files.filter(f -> f.getFileName().toString().startsWith("UTC--")).sorted().toList());
      }
    }
  }

  @Command(name = "new", description = "Generate a key and store it encrypted.")
  static final class New implements Runnable {
    @Mixin KeyDirOptions keys;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      PrivateKey key = PrivateKey.generate(new SecureRandom());
      Path file = keys.save(key, keys.password(true));
      PrintWriter out = spec.commandLine().getOut();
      out.printf("address  %s%nfile     %s%n", key.address(), file);
      out.flush();
    }
  }

  @Command(name = "import", description = "Import a key from hex or from a keystore v3 file.")
  static final class Import implements Runnable {
    @Mixin KeyDirOptions keys;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Exactly one of the two sources. */
    static final class Source {
      @Option(names = "--private-key", paramLabel = "HEX", description = "The private key in hex.")
      String hex;

      @Option(
          names = "--keystore",
          paramLabel = "FILE",
          description = "A keystore v3 JSON file (geth, MetaMask export); its password is asked.")
      Path keystore;
    }

    @Override
    public void run() {
      String password = keys.password(source.keystore == null);
      PrivateKey key;
      if (source.keystore != null) {
        String json;
        try {
          json = Files.readString(source.keystore);
        } catch (IOException e) {
          throw new UserErrorException("cannot read " + source.keystore + ": " + e.getMessage());
        }
        key = Keystore.decrypt(json, password);
      } else {
        key = PrivateKey.fromHex(source.hex);
      }
      Path file = keys.save(key, password);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("address  %s%nfile     %s%n", key.address(), file);
      out.flush();
    }
  }

  @Command(name = "list", description = "List the addresses of stored keys.")
  static final class ListKeys implements Runnable {
    @Mixin KeyDirOptions keys;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      try {
        List<Path> files = keys.files();
        if (files.isEmpty()) {
          out.printf("no keys in %s (create one with: ascribe keys new)%n", keys.dir());
        }
        for (Path file : files) {
          String name = file.getFileName().toString();
          out.printf(
              "%s  %s%n", Address.fromHex("0x" + name.substring(name.lastIndexOf("--") + 2)), file);
        }
      } catch (IOException e) {
        throw new UserErrorException("cannot list " + keys.dir() + ": " + e.getMessage());
      }
      out.flush();
    }
  }
}
