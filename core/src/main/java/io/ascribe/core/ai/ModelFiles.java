package io.ascribe.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A model checkpoint on disk in the Hugging Face layout, and the hashes a {@code RegisterModel}
 * transaction records for it, so an executor that holds the files can check they are the ones
 * registered before it runs work on them. The config hash is keccak256 of {@code config.json}'s
 * bytes. The weights hash is keccak256 of the concatenated keccak256 of each weights file, in file
 * name order: {@code model.safetensors} alone, or the shards {@code model.safetensors.index.json}
 * maps tensors to (the index itself is derived from the shards' headers and is not hashed).
 *
 * @param config the {@code config.json} file
 * @param weights the weights files, sorted by name
 * @param architecture the config's first {@code architectures} entry, else its {@code model_type}
 */
public record ModelFiles(Path config, List<Path> weights, String architecture) {
  public static final String CONFIG_FILE = "config.json";
  public static final String WEIGHTS_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelFiles {
    weights = List.copyOf(weights);
  }

  /**
   * Finds the files of the model in {@code dir}.
   *
   * @throws IllegalArgumentException when a file is missing or unreadable, saying which
   */
  public static ModelFiles in(Path dir) {
    Path config = dir.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(config)) {
      throw new IllegalArgumentException(
          dir + " has no " + CONFIG_FILE + ": give the directory of a Hugging Face model");
    }
    String architecture = architecture(read(config));
    Path single = dir.resolve(WEIGHTS_FILE);
    Path index = dir.resolve(INDEX_FILE);
    if (Files.isRegularFile(single)) {
      return new ModelFiles(config, List.of(single), architecture);
    }
    if (!Files.isRegularFile(index)) {
      throw new IllegalArgumentException(
          dir + " has no " + WEIGHTS_FILE + " or " + INDEX_FILE + ": the weights are missing");
    }
    JsonNode map = read(index).path("weight_map");
    if (!map.isObject() || map.isEmpty()) {
      throw new IllegalArgumentException(index + " has no \"weight_map\" of tensors to shards");
    }
    TreeSet<String> shards = new TreeSet<>();
    map.elements().forEachRemaining(shard -> shards.add(shard.asText()));
    List<Path> weights = new ArrayList<>();
    for (String shard : shards) {
      Path file = dir.resolve(shard);
      if (shard.contains("/") || shard.contains("\\") || !Files.isRegularFile(file)) {
        throw new IllegalArgumentException(
            index + " names the shard \"" + shard + "\", which is not a file in " + dir);
      }
      weights.add(file);
    }
    return new ModelFiles(config, weights, architecture);
  }

  public Hash configHash() throws IOException {
    try (InputStream in = Files.newInputStream(config)) {
      return Keccak.hash(in);
    }
  }

  /** Reads every weights file once; for a large model this takes a while. */
  public Hash weightsHash() throws IOException {
    byte[][] hashes = new byte[weights.size()][];
    for (int i = 0; i < hashes.length; i++) {
      try (InputStream in = Files.newInputStream(weights.get(i))) {
        hashes[i] = Keccak.hash(in).toArray();
      }
    }
    return Keccak.hash(hashes);
  }

  private static String architecture(JsonNode config) {
    JsonNode architectures = config.path("architectures");
    if (architectures.isArray() && architectures.path(0).isTextual()) {
      return architectures.path(0).asText();
    }
    if (config.path("model_type").isTextual()) {
      return config.path("model_type").asText();
    }
    throw new IllegalArgumentException(
        CONFIG_FILE + " names no architecture: it needs \"architectures\" or \"model_type\"");
  }

  private static JsonNode read(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " is not readable JSON: " + e.getMessage(), e);
    }
  }
}
