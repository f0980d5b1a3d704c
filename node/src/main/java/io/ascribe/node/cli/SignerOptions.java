package io.ascribe.node.cli;

import io.ascribe.core.crypto.Keystore;
import io.ascribe.core.crypto.PrivateKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The key that signs a command's transactions: a hex key, or a keystore v3 file. */
final class SignerOptions {
  @Option(
      names = "--key",
      paramLabel = "HEX",
      description = "Private key of the sender (hex); use a dev account's on the devnet.")
  String hex;

  @Option(
      names = "--keystore",
      paramLabel = "FILE",
      description = "Keystore v3 file of the sender's key (e.g. one under ~/.ascribe/keys).")
  Path keystore;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description =
          "File whose first line is the keystore's password (default: $ASCRIBE_KEY_PASSWORD, else a prompt).")
  Path passwordFile;

  PrivateKey key() {
    if ((hex == null) == (keystore == null)) {
      throw new UserErrorException("name the sender's key with --key HEX or --keystore FILE");
    }
    if (hex != null) {
      return PrivateKey.fromHex(hex);
    }
    String json;
    try {
      json = Files.readString(keystore);
    } catch (NoSuchFileException e) {
      throw new UserErrorException("there is no keystore file " + keystore + ": check --keystore");
    } catch (IOException e) {
      throw new UserErrorException("cannot read keystore " + keystore + ": " + e.getMessage());
    }
    return Keystore.decrypt(json, Passwords.read(passwordFile, false));
  }
}
