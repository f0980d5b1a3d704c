package io.ascribe.node.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.GenesisLoader;
import io.ascribe.genesis.GenesisWriter;
import io.ascribe.genesis.InvalidGenesisException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * A node's home directory: {@code config/node.toml} (settings), {@code config/genesis.json}, {@code
 * config/validator_key.json} (the signing key, readable by its owner only, as CometBFT keeps {@code
 * priv_validator_key.json}) and {@code data/} (the chain store). {@link #init} lays one out; {@link
 * #load} reads it back and reports any problem with the file and field at fault.
 */
public final class NodeHome {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TomlMapper TOML = new TomlMapper();

  private final Path dir;

  public NodeHome(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public Path settingsFile() {
    return dir.resolve("config").resolve("node.toml");
  }

  public Path genesisFile() {
    return dir.resolve("config").resolve("genesis.json");
  }

  public Path keyFile() {
    return dir.resolve("config").resolve("validator_key.json");
  }

  public Path dataDir() {
    return dir.resolve("data");
  }

  /** What {@link #load} reads. */
  public record Contents(NodeSettings settings, Genesis genesis, PrivateKey validatorKey) {}

  /**
   * Lays out a new home with this genesis and key and default settings.
   *
   * @throws IOException when the home already holds a node (it is never overwritten) or cannot be
   *     written
   */
  public void init(Genesis genesis, PrivateKey key) throws IOException {
    if (Files.exists(settingsFile()) || Files.exists(keyFile()) || Files.exists(genesisFile())) {
      throw new FileAlreadyExistsException(
          dir + " already holds a node home; choose another --home or remove it");
    }
    Files.createDirectories(settingsFile().getParent());
    Files.createDirectories(dataDir());
    AtomicFiles.write(settingsFile(), defaultSettingsText(), false);
    GenesisWriter.write(genesis, genesisFile());
    String keyJson =
        JSON.writerWithDefaultPrettyPrinter()
            .writeValueAsString(
                JSON.createObjectNode()
                    .put("address", key.address().toString())
                    .put("privateKey", key.toHex()));
    AtomicFiles.write(keyFile(), keyJson + "\n", true);
  }

  /**
   * Replaces the home's settings with these (every key written out), as tools that lay out nodes
   * do: {@code ascribe testnet} gives each validator its ports and peers.
   *
   * @throws IOException when the file cannot be written
   */
  public void writeSettings(NodeSettings settings) throws IOException {
    Files.createDirectories(settingsFile().getParent());
    AtomicFiles.write(
        settingsFile(),
        "# Ascribe node settings (see 'ascribe init' for what each key means).\n"
            + TOML.writeValueAsString(settings),
        false);
  }

  private static String defaultSettingsText() {
    return """
        # Ascribe node settings. Every key is optional; these are the defaults.

        [rpc]
        host = "127.0.0.1"
        port = 8645

        [metrics]
        host = "127.0.0.1"
        # -1 turns the metrics endpoint off.
        port = 9645

        [p2p]
        host = "127.0.0.1"
        port = 26656
        # Peers to stay connected to, as "NODE_ID@HOST:PORT" (NODE_ID: the address ascribe init
        # printed for that node).
        persistent_peers = []

        # A validator attests the deposits locked in the genesis's OpenBridge once they have the
        # genesis's confirmations, watching them through an EVM node of its own. Uncomment to
        # turn it on (the genesis must have a bridge section).
        # [bridge]
        # evm_rpc = "http://127.0.0.1:8545"
        # poll_interval_ms = 2000
        # from_block = 0   # the first EVM block to scan: the bridge's deployment block
        """;
  }

  /**
   * Reads the home.
   *
   * @throws IllegalArgumentException naming the file, the field and the fix for any problem
   */
  public Contents load() {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          dir + " is not a node home: create one with 'ascribe init --home " + dir + "'");
    }
    return new Contents(loadSettings(), loadGenesis(), loadKey());
  }

  private NodeSettings loadSettings() {
    Path file = settingsFile();
    if (!Files.exists(file)) {
      return NodeSettings.DEFAULT;
    }
    try {
      return TOML.copy()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .readValue(file.toFile(), NodeSettings.class);
    } catch (UnrecognizedPropertyException e) {
      String path =
          e.getPath().stream().map(r -> r.getFieldName()).collect(Collectors.joining("."));
      throw new IllegalArgumentException(
          file + ": unknown setting '" + path + "'; known: " + e.getKnownPropertyIds());
    } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
      String path =
          e.getPath().stream().map(r -> r.getFieldName()).collect(Collectors.joining("."));
      throw new IllegalArgumentException(
          file
              + ": setting '"
              + path
              + "' has the wrong type (expected "
              + e.getTargetType().getSimpleName()
              + ")");
    } catch (JacksonException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
      throw new IllegalArgumentException(file + ": " + firstLine(cause.getMessage()));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private Genesis loadGenesis() {
    try {
      return GenesisLoader.load(genesisFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage());
    } catch (InvalidGenesisException e) {
      throw new IllegalArgumentException(genesisFile() + ": " + e.getMessage());
    }
  }

  private PrivateKey loadKey() {
    Path file = keyFile();
    JsonNode json;
    try {
      json = JSON.readTree(file.toFile());
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          file + " is not valid JSON: " + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read " + file + " (" + e.getMessage() + "): the node needs its validator key");
    }
    JsonNode hex = json.get("privateKey");
    if (hex == null || !hex.isTextual()) {
      throw new IllegalArgumentException(file + ": field 'privateKey' is missing or not a string");
    }
    try {
      return PrivateKey.fromHex(hex.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": field 'privateKey': " + e.getMessage());
    }
  }

  private static String firstLine(String text) {
    int newline = text == null ? -1 : text.indexOf('\n');
    return newline < 0 ? String.valueOf(text) : text.substring(0, newline);
  }
}
