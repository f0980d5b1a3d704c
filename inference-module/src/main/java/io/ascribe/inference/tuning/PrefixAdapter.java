package io.ascribe.inference.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.inference.lora.LoraAdapter;
import io.ascribe.inference.model.Adapter;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.ModelHash;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.safetensors.SafeTensorsFile;
import io.ascribe.inference.safetensors.SafeTensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Prefix tuning / P-tuning v2 (Li and Liang 2021; Liu et al. 2022): {@code p} trainable key and
 * value vectors per KV head in front of every layer's attention, which every token of the sequence
 * attends to; the base weights stay frozen. The prefixes are drawn from N(0, 1), as PEFT's prefix
 * encoder (an embedding without projection) initialises them, and enter attention as given, with no
 * rotary embedding: they have no position. Attached to a model it leaves the projections alone.
 */
public final class PrefixAdapter implements Adapter, Trainable {
  /** The PEFT type in {@code adapter_config.json}. */
  public static final String PEFT_TYPE = "PREFIX_TUNING";

  private static final String EMBEDDINGS = "prompt_embeddings";

  private final LlamaModel base;
  private final int length;
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;

  private PrefixAdapter(LlamaModel base, int length, long seed) {
    if (length <= 0) {
      throw new IllegalArgumentException("prefix length must be positive, got " + length);
    }
    this.base = base;
    this.length = length;
    this.manager = base.manager().newSubManager();
    LlamaConfig c = base.config();
    int layers = c.numHiddenLayers();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
    Random random = new Random(seed);
    Shape shape = new Shape(c.numKeyValueHeads(), length, c.headDim());
    for (int l = 0; l < layers; l++) {
      keys[l] = create(gaussian(random, shape.size()), shape, base);
      values[l] = create(gaussian(random, shape.size()), shape, base);
    }
  }

  /** A fresh prefix of {@code length} positions for {@code base}, drawn from {@code seed}. */
  public static PrefixAdapter create(LlamaModel base, int length, long seed) {
    return new PrefixAdapter(base, length, seed);
  }

  // In the base's dtype: float32, or float64 where gradients are checked.
  private NDArray create(float[] v, Shape shape, LlamaModel base) {
    NDArray a = manager.create(v, shape);
    if (a.getDataType() == base.dtype()) {
      return a;
    }
    NDArray cast = a.toType(base.dtype(), true);
    a.close();
    return cast;
  }

  private static float[] gaussian(Random random, long n) {
    float[] v = new float[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  @Override
  public NDArray apply(String module, NDArray input, NDArray baseOutput, boolean training) {
    return baseOutput;
  }

  @Override
  public int prefixLength() {
    return length;
  }

  @Override
  public NDArray[] prefix(int layer, long batch, NDManager m) {
    return new NDArray[] {expand(keys[layer], batch, m), expand(values[layer], batch, m)};
  }

  // One prefix shared by every sequence of the batch; the result goes to the step's manager.
  private static NDArray expand(NDArray p, long batch, NDManager m) {
    Shape s = p.getShape();
    // Ops on the prefix put their results in its long-lived manager: move the first one to the
    // step's manager so it, and the broadcast made from it, are freed with the step.
    NDArray one = p.expandDims(0);
    one.attach(m);
    return one.broadcast(new Shape(batch, s.get(0), s.get(1), s.get(2)));
  }

  @Override
  public Map<String, NDArray> namedParameters() {
    Map<String, NDArray> p = new LinkedHashMap<>();
    for (int l = 0; l < keys.length; l++) {
      p.put("prefix.layers." + l + ".key", keys[l]);
      p.put("prefix.layers." + l + ".value", values[l]);
    }
    return p;
  }

  /**
   * Writes the prefixes as PEFT's prefix tuning without projection saves them: {@code
   * adapter_model.safetensors} holding {@code prompt_embeddings} (prefix length × layers·2·KV
   * heads·head dim; for position i, layer l's key then value, head by head) and {@code
   * adapter_config.json} with peft_type {@code PREFIX_TUNING} and the base's hash.
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    LlamaConfig c = base.config();
    int kvh = c.numKeyValueHeads();
    int hd = c.headDim();
    int width = keys.length * 2 * kvh * hd;
    float[] emb = new float[length * width];
    for (int l = 0; l < keys.length; l++) {
      float[][] kv = {keys[l].toFloatArray(), values[l].toFloatArray()};
      for (int part = 0; part < 2; part++) {
        for (int h = 0; h < kvh; h++) {
          for (int i = 0; i < length; i++) {
            for (int d = 0; d < hd; d++) {
              emb[i * width + ((l * 2 + part) * kvh + h) * hd + d] =
                  kv[part][(h * length + i) * hd + d];
            }
          }
        }
      }
    }
    SafeTensorsWriter.write(
        dir.resolve(LoraAdapter.WEIGHTS_FILE),
        Map.of("format", "pt"),
        List.of(SafeTensorsWriter.Tensor.f32(EMBEDDINGS, new long[] {length, width}, emb)));
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("peft_type", PEFT_TYPE);
    json.put("task_type", "CAUSAL_LM");
    json.put("num_virtual_tokens", length);
    json.put("num_layers", keys.length);
    json.put("num_attention_heads", kvh);
    json.put("token_dim", kvh * hd);
    json.put("num_transformer_submodules", 1);
    json.put("prefix_projection", false);
    ModelHash.describeBase(json, base);
    Files.writeString(
        dir.resolve(LoraAdapter.CONFIG_FILE),
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
  }

  /**
   * Reads prefixes saved by {@link #save} for {@code base}.
   *
   * @throws ModelException when the config names another base or its sizes do not fit {@code base}
   */
  public static PrefixAdapter load(Path dir, LlamaModel base) throws IOException {
    Path cfgFile = dir.resolve(LoraAdapter.CONFIG_FILE);
    if (!Files.exists(cfgFile)) {
      throw new ModelException(dir + ": no " + LoraAdapter.CONFIG_FILE);
    }
    JsonNode json = new ObjectMapper().readTree(cfgFile.toFile());
    if (!PEFT_TYPE.equals(json.path("peft_type").asText())) {
      throw new ModelException(cfgFile + ": peft_type is not " + PEFT_TYPE);
    }
    if (json.path("prefix_projection").asBoolean(false)) {
      throw new ModelException(
          cfgFile + ": prefix_projection (an MLP over the prefix) is not supported");
    }
    ModelHash.checkBase(cfgFile, json, base);
    LlamaConfig c = base.config();
    int kvh = c.numKeyValueHeads();
    int hd = c.headDim();
    int layers = c.numHiddenLayers();
    int length = json.path("num_virtual_tokens").asInt(0);
    if (json.path("num_layers").asInt() != layers || json.path("token_dim").asInt() != kvh * hd) {
      throw new ModelException(
          cfgFile
              + ": prefixes for "
              + json.path("num_layers").asInt()
              + " layers of "
              + json.path("token_dim").asInt()
              + " key/value values, but the base model has "
              + layers
              + " of "
              + kvh * hd
              + " (an adapter for another base?)");
    }
    int width = layers * 2 * kvh * hd;
    float[] emb;
    try (SafeTensorsFile st = SafeTensorsFile.open(dir.resolve(LoraAdapter.WEIGHTS_FILE))) {
      if (!st.contains(EMBEDDINGS)
          || !java.util.Arrays.equals(st.info(EMBEDDINGS).shape(), new long[] {length, width})) {
        throw new ModelException(
            st.path() + ": needs " + EMBEDDINGS + " of shape [" + length + ", " + width + "]");
      }
      emb = st.floats(EMBEDDINGS);
    }
    PrefixAdapter p = new PrefixAdapter(base, length, 0);
    for (int l = 0; l < layers; l++) {
      float[][] kv = new float[2][kvh * length * hd];
      for (int part = 0; part < 2; part++) {
        for (int h = 0; h < kvh; h++) {
          for (int i = 0; i < length; i++) {
            for (int d = 0; d < hd; d++) {
              kv[part][(h * length + i) * hd + d] =
                  emb[i * width + ((l * 2 + part) * kvh + h) * hd + d];
            }
          }
        }
      }
      p.keys[l].set(kv[0]);
      p.values[l].set(kv[1]);
    }
    return p;
  }

  /** Detaches from the base (when attached) and frees the prefixes. */
  @Override
  public void close() {
    base.detach(this);
    manager.close();
  }
}
