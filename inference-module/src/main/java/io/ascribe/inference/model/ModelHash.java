package io.ascribe.inference.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The identity of a base model on disk, so an adapter can name the base it was trained on: SHA-256
 * over the files the model is made of, in a fixed order, each as its name, its length and its
 * bytes. Those files are {@code config.json}, the weights ({@code model.safetensors}, or the index
 * and its shards), and the tokenizer files when present: a change to any of them changes what the
 * adapter's weights mean. Adapters carry it in {@code adapter_config.json} as {@value #FIELD}.
 */
public final class ModelHash {
  /** The {@code adapter_config.json} field holding the base's hash. */
  public static final String FIELD = "base_model_sha256";

  /** The field saying the base was NF4-quantised under the adapter (QLoRA), {@value #NF4}. */
  public static final String QUANTIZATION_FIELD = "base_model_quantization";

  /**
   * The base form {@link LlamaModel#quantizeNf4} makes: projections and embeddings in NF4, an
   * untied head in int8 (absmax blocks of 64, float32 scales), norms float32.
   */
  public static final String NF4 = "nf4-int8head";

  /**
   * Earlier QLoRA base forms, which this program no longer builds, with what they held: an adapter
   * trained on one saw other weights than the base it would now get.
   */
  static final Map<String, String> OLDER_FORMS =
      Map.of(
          "nf4", "NF4 projections, float32 embeddings and head",
          "nf4-all", "every matrix in NF4, the untied head too");

  private static final List<String> TOKENIZER_FILES =
      List.of("tokenizer.json", "tokenizer_config.json");

  private ModelHash() {}

  /** The hash of the model in {@code dir}, over {@code weightFiles} (in load order). */
  static String of(Path dir, List<Path> weightFiles) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    add(sha, dir.resolve(LlamaModel.CONFIG_FILE));
    if (!weightFiles.contains(dir.resolve(LlamaModel.WEIGHTS_FILE))) {
      add(sha, dir.resolve(LlamaModel.INDEX_FILE));
    }
    for (Path f : weightFiles) {
      add(sha, f);
    }
    for (String name : TOKENIZER_FILES) {
      Path f = dir.resolve(name);
      if (Files.exists(f)) {
        add(sha, f);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static void add(MessageDigest sha, Path file) throws IOException {
    sha.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(ByteBuffer.allocate(8).putLong(Files.size(file)).flip());
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        sha.update(buffer, 0, n);
      }
    }
  }

  /**
   * Records {@code base}'s hash (when it was loaded from disk) and NF4 state in an adapter config.
   */
  public static void describeBase(ObjectNode adapterConfig, LlamaModel base) {
    if (base.sha256() != null) {
      adapterConfig.put(FIELD, base.sha256());
    }
    if (base.isQuantized()) {
      adapterConfig.put(QUANTIZATION_FIELD, NF4);
    }
  }

  /**
   * Refuses an adapter whose config does not name {@code base}: when the base was loaded from disk
   * the config must carry its hash. A base made in memory (no files) has nothing to compare.
   *
   * @throws ModelException naming the adapter, the base and the fix
   */
  public static void checkBase(Path adapterConfigFile, JsonNode adapterConfig, LlamaModel base) {
    if (base.sha256() == null) {
      return;
    }
    JsonNode named = adapterConfig.get(FIELD);
    if (named == null || !named.isTextual()) {
      throw new ModelException(
          adapterConfigFile
              + " does not say which base model it was trained on (no \""
              + FIELD
              + "\"); if it was trained on "
              + base.source()
              + ", add \""
              + FIELD
              + "\": \""
              + base.sha256()
              + "\" to it");
    }
    if (!named.textValue().equals(base.sha256())) {
      throw new ModelException(
          adapterConfigFile.getParent()
              + " is an adapter for another base model (sha256 "
              + named.textValue()
              + "), not for "
              + base.source()
              + " (sha256 "
              + base.sha256()
              + "); pass the base it was trained on");
    }
  }

  /**
   * Whether an adapter config says its base was NF4-quantised during training ({@value #NF4}); no
   * {@value #QUANTIZATION_FIELD} means a float32 base.
   *
   * @throws ModelException when the field names another form (an older one, {@code nf4} or {@code
   *     nf4-all}, or one this program does not know): loading the adapter onto a base quantised
   *     otherwise than in training would silently change what its weights mean
   */
  public static boolean trainedOnNf4(Path adapterConfigFile, JsonNode adapterConfig) {
    JsonNode marker = adapterConfig.get(QUANTIZATION_FIELD);
    if (marker == null || marker.isNull()) {
      return false;
    }
    String form = marker.asText();
    if (NF4.equals(form)) {
      return true;
    }
    String older = OLDER_FORMS.get(form);
    if (older != null) {
      throw new ModelException(
          adapterConfigFile
              + ": "
              + QUANTIZATION_FIELD
              + " \""
              + form
              + "\" is an older QLoRA base ("
              + older
              + "), which this program no longer builds, so the adapter would run on other weights"
              + " than it was trained on; retrain it with `ascribe tune --method qlora` (its base"
              + " is then \""
              + NF4
              + "\")");
    }
    throw new ModelException(
        adapterConfigFile
            + ": "
            + QUANTIZATION_FIELD
            + " \""
            + form
            + "\" is not a base form this program runs (\""
            + NF4
            + "\", or no field for a float32 base); retrain the adapter with this program's"
            + " `ascribe tune`");
  }
}
