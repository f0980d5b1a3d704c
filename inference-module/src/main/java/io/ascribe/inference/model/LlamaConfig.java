package io.ascribe.inference.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The shape of a Llama-style decoder, read from and written as a Hugging Face {@code config.json}
 * ({@code model_type} "llama"). Fields the file may omit take Hugging Face's defaults ({@code
 * num_key_value_heads} = heads, {@code rms_norm_eps} 1e-6, {@code rope_theta} 10000, untied
 * embeddings); features this decoder does not implement ({@code rope_scaling}, biases) are refused
 * rather than silently ignored.
 */
public record LlamaConfig(
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int vocabSize,
    double rmsNormEps,
    double ropeTheta,
    int maxPositionEmbeddings,
    boolean tieWordEmbeddings) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public LlamaConfig {
    positive("hidden_size", hiddenSize);
    positive("intermediate_size", intermediateSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("num_key_value_heads", numKeyValueHeads);
    positive("vocab_size", vocabSize);
    positive("max_position_embeddings", maxPositionEmbeddings);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new ModelException(
          "config: hidden_size "
              + hiddenSize
              + " is not a multiple of num_attention_heads "
              + numAttentionHeads);
    }
    if (numAttentionHeads % numKeyValueHeads != 0) {
      throw new ModelException(
          "config: num_attention_heads "
              + numAttentionHeads
              + " is not a multiple of num_key_value_heads "
              + numKeyValueHeads);
    }
    if ((hiddenSize / numAttentionHeads) % 2 != 0) {
      throw new ModelException("config: head dimension must be even for rotary embeddings");
    }
    if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
      throw new ModelException("config: rms_norm_eps and rope_theta must be positive");
    }
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new ModelException("config: " + field + " must be positive, got " + value);
    }
  }

  /** A small byte-level model for tests and examples: hidden 64, 2 layers, 4 heads, 2 KV heads. */
  public static LlamaConfig tiny(int vocabSize) {
    return new LlamaConfig(64, 128, 2, 4, 2, vocabSize, 1e-5, 10000, 256, false);
  }

  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  public LlamaConfig withTiedEmbeddings(boolean tied) {
    return new LlamaConfig(
        hiddenSize,
        intermediateSize,
        numHiddenLayers,
        numAttentionHeads,
        numKeyValueHeads,
        vocabSize,
        rmsNormEps,
        ropeTheta,
        maxPositionEmbeddings,
        tied);
  }

  /** Reads {@code config.json}. */
  public static LlamaConfig read(Path file) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ModelException(file + ": no config.json", e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ModelException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    try {
      return fromJson(root);
    } catch (ModelException e) {
      throw new ModelException(file + ": " + e.getMessage(), e);
    }
  }

  /** Parses a {@code config.json} tree. */
  public static LlamaConfig fromJson(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new ModelException("config is not a JSON object");
    }
    JsonNode type = root.get("model_type");
    if (type != null && !"llama".equals(type.asText())) {
      throw new ModelException("config: model_type '" + type.asText() + "' is not 'llama'");
    }
    JsonNode scaling = root.get("rope_scaling");
    if (scaling != null && !scaling.isNull()) {
      throw new ModelException("config: rope_scaling is not supported yet");
    }
    for (String bias : new String[] {"attention_bias", "mlp_bias"}) {
      if (root.path(bias).asBoolean(false)) {
        throw new ModelException("config: " + bias + " is not supported");
      }
    }
    String act = root.path("hidden_act").asText("silu");
    if (!act.equals("silu")) {
      throw new ModelException("config: hidden_act '" + act + "' is not 'silu'");
    }
    int hidden = requiredInt(root, "hidden_size");
    int heads = requiredInt(root, "num_attention_heads");
    JsonNode headDim = root.get("head_dim");
    if (headDim != null && !headDim.isNull() && headDim.asInt() * heads != hidden) {
      throw new ModelException(
          "config: head_dim " + headDim.asInt() + " × heads " + heads + " ≠ hidden_size");
    }
    return new LlamaConfig(
        hidden,
        requiredInt(root, "intermediate_size"),
        requiredInt(root, "num_hidden_layers"),
        heads,
        optionalInt(root, "num_key_value_heads", heads),
        requiredInt(root, "vocab_size"),
        optionalDouble(root, "rms_norm_eps", 1e-6),
        optionalDouble(root, "rope_theta", 10000),
        optionalInt(root, "max_position_embeddings", 2048),
        root.path("tie_word_embeddings").asBoolean(false));
  }

  private static int requiredInt(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw new ModelException("config: missing " + field);
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new ModelException("config: " + field + " is not an integer: " + n);
    }
    return n.intValue();
  }

  private static int optionalInt(JsonNode root, String field, int fallback) {
    JsonNode n = root.get(field);
    return n == null || n.isNull() ? fallback : requiredInt(root, field);
  }

  private static double optionalDouble(JsonNode root, String field, double fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isNumber()) {
      throw new ModelException("config: " + field + " is not a number: " + n);
    }
    return n.doubleValue();
  }

  /** This config as Hugging Face writes it. */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.putArray("architectures").add("LlamaForCausalLM");
    o.put("model_type", "llama");
    o.put("hidden_act", "silu");
    o.put("hidden_size", hiddenSize);
    o.put("intermediate_size", intermediateSize);
    o.put("num_hidden_layers", numHiddenLayers);
    o.put("num_attention_heads", numAttentionHeads);
    o.put("num_key_value_heads", numKeyValueHeads);
    o.put("vocab_size", vocabSize);
    o.put("rms_norm_eps", rmsNormEps);
    o.put("rope_theta", ropeTheta);
    o.put("max_position_embeddings", maxPositionEmbeddings);
    o.put("tie_word_embeddings", tieWordEmbeddings);
    o.putNull("rope_scaling");
    o.put("torch_dtype", "float32");
    return o;
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson()));
  }
}
