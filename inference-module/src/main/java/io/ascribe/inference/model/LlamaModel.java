package io.ascribe.inference.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.inference.Torch;
import io.ascribe.inference.quant.Int8;
import io.ascribe.inference.quant.Int8Tensor;
import io.ascribe.inference.quant.Int8Weight;
import io.ascribe.inference.quant.Nf4;
import io.ascribe.inference.quant.Nf4Tensor;
import io.ascribe.inference.quant.Nf4Weight;
import io.ascribe.inference.safetensors.DType;
import io.ascribe.inference.safetensors.SafeTensorsFile;
import io.ascribe.inference.safetensors.SafeTensorsWriter;
import io.ascribe.inference.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Llama-style decoder on DJL NDArrays: token embeddings, then per layer RMSNorm, grouped-query
 * self-attention with rotary position embeddings and a causal mask, RMSNorm and a SwiGLU MLP, each
 * with a residual connection; a final RMSNorm and the LM head (or the transposed embeddings when
 * tied). The math follows Hugging Face's {@code LlamaForCausalLM}, and the weights carry its names
 * ({@code model.layers.N.self_attn.q_proj.weight}, ...), so checkpoints load in both directions.
 * Weights are float32 and owned by the model's manager; {@link #quantizeNf4} turns the projections
 * and embeddings into NF4 and an untied head into int8 (QLoRA's frozen base), dequantised on the
 * fly in each forward pass. An {@link Adapter} may be attached to change the projections or to add
 * key/value prefixes.
 */
public final class LlamaModel implements AutoCloseable {
  public static final String CONFIG_FILE = "config.json";
  public static final String WEIGHTS_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";

  /** The seven projections of a layer, as Hugging Face names them. */
  public static final List<String> PROJECTIONS =
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

  public static final String EMBEDDINGS = "model.embed_tokens.weight";
  public static final String HEAD = "lm_head.weight";

  // The projections that read the same input and run as one product (see linear). Gate and up
  // do not: their fused output's split cost the backward pass more than the one product saved.
  private static final List<String> ATTENTION_INPUTS = List.of("q_proj", "k_proj", "v_proj");

  private final LlamaConfig config;
  private final NDManager manager;
  private final Map<String, NDArray> weights;
  private final NDArray ropeCos;
  private final NDArray ropeSin;
  private final Map<String, Nf4Weight> quantized = new LinkedHashMap<>();
  // The untied LM head after quantizeNf4 (null before, and always for a tied head).
  private Int8Weight head8;
  private Adapter adapter;
  private Path source;
  private String sha256;
  private Precision precision = Precision.FP32;

  LlamaModel(LlamaConfig config, NDManager manager, Map<String, NDArray> weights) {
    this.config = config;
    this.manager = manager;
    this.weights = weights;
    float[][] rope = ropeTables(config);
    long[] shape = {
      config.maxPositionEmbeddings(),
      (long) (config.numAttentionHeads() + config.numKeyValueHeads()) * config.headDim()
    };
    this.ropeCos = manager.create(rope[0], new Shape(shape));
    this.ropeSin = manager.create(rope[1], new Shape(shape));
  }

  /** Every weight a config implies, with its shape, in a fixed order. */
  public static Map<String, long[]> expectedShapes(LlamaConfig c) {
    long h = c.hiddenSize();
    long q = (long) c.numAttentionHeads() * c.headDim();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    long i = c.intermediateSize();
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put(EMBEDDINGS, new long[] {c.vocabSize(), h});
    for (int l = 0; l < c.numHiddenLayers(); l++) {
      String p = "model.layers." + l + ".";
      s.put(p + "input_layernorm.weight", new long[] {h});
      s.put(p + "self_attn.q_proj.weight", new long[] {q, h});
      s.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
      s.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
      s.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      s.put(p + "post_attention_layernorm.weight", new long[] {h});
      s.put(p + "mlp.gate_proj.weight", new long[] {i, h});
      s.put(p + "mlp.up_proj.weight", new long[] {i, h});
      s.put(p + "mlp.down_proj.weight", new long[] {h, i});
    }
    s.put("model.norm.weight", new long[] {h});
    if (!c.tieWordEmbeddings()) {
      s.put(HEAD, new long[] {c.vocabSize(), h});
    }
    return s;
  }

  /** The module name of projection {@code proj} in layer {@code layer}. */
  public static String module(int layer, String proj) {
    if (!PROJECTIONS.contains(proj)) {
      throw new ModelException("unknown projection '" + proj + "', expected one of " + PROJECTIONS);
    }
    String group = PROJECTIONS.indexOf(proj) < 4 ? "self_attn." : "mlp.";
    return "model.layers." + layer + "." + group + proj;
  }

  // cos/sin of position × inverse frequency, duplicated over both halves as HF's rotate_half
  // expects, for every query head and then every key head of a position (one table, its columns
  // split between queries and keys); computed in double so long contexts keep their precision. The
  // sine's first half is negated (rotate_half(x)·sin = swap_halves(x)·[-sin, sin], see rope), and
  // the query heads' columns carry the attention's 1/√(head dim), which the scores then need not
  // be divided by.
  private static float[][] ropeTables(LlamaConfig c) {
    int d = c.headDim();
    int p = c.maxPositionEmbeddings();
    int heads = c.numAttentionHeads() + c.numKeyValueHeads();
    int row = heads * d;
    double queryScale = 1 / Math.sqrt(d);
    float[] cos = new float[p * row];
    float[] sin = new float[p * row];
    for (int pos = 0; pos < p; pos++) {
      for (int j = 0; j < d / 2; j++) {
        double invFreq = 1.0 / Math.pow(c.ropeTheta(), (2.0 * j) / d);
        double angle = pos * invFreq;
        for (int head = 0; head < heads; head++) {
          double scale = head < c.numAttentionHeads() ? queryScale : 1;
          int at = pos * row + head * d + j;
          cos[at] = cos[at + d / 2] = (float) (Math.cos(angle) * scale);
          sin[at] = (float) (-Math.sin(angle) * scale);
          sin[at + d / 2] = (float) (Math.sin(angle) * scale);
        }
      }
    }
    return new float[][] {cos, sin};
  }

  /** Creates a model from weights given as float arrays, checking names and shapes. */
  static LlamaModel fromFloats(
      LlamaConfig config, NDManager parent, Map<String, float[]> values, String where) {
    return fromFloats(config, parent, values, where, DataType.FLOAT32);
  }

  /** The same, the weights held in {@code dtype} (float32, or float64 for gradient checks). */
  static LlamaModel fromFloats(
      LlamaConfig config,
      NDManager parent,
      Map<String, float[]> values,
      String where,
      DataType dtype) {
    NDManager manager = parent.newSubManager();
    try {
      Map<String, NDArray> arrays = new HashMap<>();
      for (Map.Entry<String, long[]> e : expectedShapes(config).entrySet()) {
        float[] v = values.get(e.getKey());
        if (v != null) {
          NDArray a = manager.create(v, new Shape(e.getValue()));
          if (dtype != DataType.FLOAT32) {
            NDArray wide = a.toType(dtype, true);
            a.close();
            a = wide;
          }
          arrays.put(e.getKey(), a);
        }
      }
      return assemble(config, manager, arrays, where, Set.of());
    } catch (RuntimeException | Error e) {
      manager.close();
      throw e;
    }
  }

  // The model over arrays (in manager, which it then owns) with every expected weight that held
  // does not name, in expectedShapes' order.
  private static LlamaModel assemble(
      LlamaConfig config,
      NDManager manager,
      Map<String, NDArray> arrays,
      String where,
      Set<String> held) {
    Map<String, NDArray> weights = new LinkedHashMap<>();
    for (String name : expectedShapes(config).keySet()) {
      if (held.contains(name)) {
        continue;
      }
      NDArray a = arrays.get(name);
      if (a == null) {
        throw new ModelException(where + ": missing weight " + name);
      }
      a.setName(name);
      weights.put(name, a);
    }
    return new LlamaModel(config, manager, weights);
  }

  /**
   * Loads {@code dir/config.json} and {@code dir/model.safetensors} (or the shards listed in {@code
   * model.safetensors.index.json}); F32, F16 and BF16 weights are widened to float32.
   */
  public static LlamaModel load(Path dir, NDManager parent) throws IOException {
    return load(dir, parent, false);
  }

  /**
   * As {@link #load(Path, NDManager)}; with {@code nf4}, QLoRA's base: each weight that {@link
   * #quantizeNf4} turns into NF4 or int8 is quantised as soon as it is read, so only one weight is
   * ever held in float32 (loading in float32 first would need the whole float32 model, the memory
   * QLoRA is there to save). The result is the same as loading and then calling {@link
   * #quantizeNf4}, bit for bit.
   */
  public static LlamaModel load(Path dir, NDManager parent, boolean nf4) throws IOException {
    LlamaConfig config = LlamaConfig.read(dir.resolve(CONFIG_FILE));
    Map<String, long[]> shapes = expectedShapes(config);
    Path single = dir.resolve(WEIGHTS_FILE);
    Path index = dir.resolve(INDEX_FILE);
    List<Path> files = new ArrayList<>();
    if (Files.exists(single)) {
      files.add(single);
    } else if (Files.exists(index)) {
      JsonNode map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
      for (Map.Entry<String, JsonNode> e : map.properties()) {
        Path f = dir.resolve(e.getValue().asText()).normalize();
        if (!f.startsWith(dir.normalize())) {
          throw new ModelException(index + ": shard " + f + " is outside the model directory");
        }
        if (!files.contains(f)) {
          files.add(f);
        }
      }
    } else {
      throw new ModelException(dir + ": no " + WEIGHTS_FILE + " or " + INDEX_FILE);
    }
    // Each weight goes into libtorch (or NF4) as it is read, so at most one is ever held twice.
    NDManager manager = parent.newSubManager();
    boolean loaded = false;
    try {
      Map<String, NDArray> arrays = new HashMap<>();
      Set<String> toNf4 = nf4 ? Set.copyOf(nf4Names(config)) : Set.of();
      Map<String, Nf4Weight> nf4Weights = new HashMap<>();
      Int8Weight head = null;
      for (Path f : files) {
        try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
          for (TensorInfo t : st.tensors()) {
            String name = t.name();
            if (name.endsWith("rotary_emb.inv_freq")
                || (name.equals(HEAD) && config.tieWordEmbeddings())) {
              continue; // recomputed / shared with the embeddings
            }
            long[] want = shapes.get(name);
            if (want == null) {
              throw new ModelException(f + ": unexpected tensor " + name + " for this config");
            }
            if (!Arrays.equals(want, t.shape())) {
              throw new ModelException(
                  f
                      + ": "
                      + name
                      + " has shape "
                      + Arrays.toString(t.shape())
                      + " but config.json implies "
                      + Arrays.toString(want));
            }
            if (!Set.of(DType.F32, DType.F16, DType.BF16).contains(t.dtype())) {
              throw new ModelException(f + ": " + name + " is " + t.dtype() + ", not F32/F16/BF16");
            }
            // A tensor named twice (in two shards) keeps its last copy, as before; the earlier
            // one is freed with the manager.
            if (toNf4.contains(name)) {
              nf4Weights.put(name, Nf4Weight.of(Nf4.quantize(st.floats(name), t.shape()), manager));
            } else if (nf4 && name.equals(HEAD)) {
              head = Int8Weight.of(Int8.quantize(st.floats(name), t.shape()), manager);
            } else {
              arrays.put(name, manager.create(st.floats(name), new Shape(want)));
            }
          }
        }
      }
      Set<String> held = new java.util.HashSet<>(nf4Weights.keySet());
      if (head != null) {
        held.add(HEAD);
      }
      LlamaModel model = assemble(config, manager, arrays, dir.toString(), held);
      model.hold(nf4Weights, head);
      model.source = dir;
      model.sha256 = ModelHash.of(dir, files);
      loaded = true;
      return model;
    } finally {
      if (!loaded) {
        manager.close();
      }
    }
  }

  /** The directory the model was loaded from; null when it was made in memory. */
  public Path source() {
    return source;
  }

  /**
   * SHA-256 of the files the model was loaded from (see {@link ModelHash}), which adapters record
   * to name their base; null when it was made in memory.
   */
  public String sha256() {
    return sha256;
  }

  /** Writes {@code config.json} and {@code model.safetensors} (float32) into {@code dir}. */
  public void save(Path dir) throws IOException {
    if (!quantized.isEmpty()) {
      // Writing dequantised floats would pass NF4 rounding off as the original weights.
      throw new ModelException("an NF4-quantised model is not saved; save its adapter alone");
    }
    Files.createDirectories(dir);
    config.write(dir.resolve(CONFIG_FILE));
    List<SafeTensorsWriter.Tensor> tensors = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : weights.entrySet()) {
      tensors.add(
          SafeTensorsWriter.Tensor.f32(
              e.getKey(), e.getValue().getShape().getShape(), e.getValue().toFloatArray()));
    }
    SafeTensorsWriter.write(dir.resolve(WEIGHTS_FILE), Map.of("format", "pt"), tensors);
  }

  public LlamaConfig config() {
    return config;
  }

  public NDManager manager() {
    return manager;
  }

  /**
   * The weight named as in a Hugging Face checkpoint.
   *
   * @throws ModelException when there is none or it is held in NF4
   */
  public NDArray weight(String name) {
    NDArray w = weights.get(name);
    if (w == null) {
      throw new ModelException(
          quantized.containsKey(name)
              ? name + " is held in NF4 and has no float32 copy"
              : isInt8(name)
                  ? name + " is held in int8 and has no float32 copy"
                  : "no weight " + name);
    }
    return w;
  }

  /**
   * The NF4 form of a weight after {@link #quantizeNf4} or an NF4 {@link #load(Path, NDManager,
   * boolean)}, copied back from the device.
   *
   * @throws ModelException when the weight is not held in NF4
   */
  public Nf4Tensor quantizedWeight(String name) {
    Nf4Weight q = quantized.get(name);
    if (q == null) {
      throw new ModelException(
          weights.containsKey(name)
              ? name + " is held in float32, not NF4"
              : isInt8(name) ? name + " is held in int8, not NF4" : "no weight " + name);
    }
    return q.tensor();
  }

  /**
   * The int8 form of the untied LM head after {@link #quantizeNf4} or an NF4 {@link #load(Path,
   * NDManager, boolean)}, copied back from the device.
   *
   * @throws ModelException when {@code name} is not a weight held in int8
   */
  public Int8Tensor int8Weight(String name) {
    if (!isInt8(name)) {
      throw new ModelException(
          weights.containsKey(name) || quantized.containsKey(name)
              ? name + " is not held in int8"
              : "no weight " + name);
    }
    return head8.tensor();
  }

  private boolean isInt8(String name) {
    return head8 != null && HEAD.equals(name);
  }

  /** The shape of a weight, float32 or NF4. */
  public Shape weightShape(String name) {
    Nf4Weight q = quantized.get(name);
    if (q != null) {
      return q.shape();
    }
    return isInt8(name) ? head8.shape() : weight(name).getShape();
  }

  /**
   * Replaces every matrix of the base by a quantised form and frees the float32 copy: the
   * projections of every layer and the token embeddings in NF4 (blocks of 64, double-quantised
   * scales), an untied LM head in {@link Int8} (absmax blocks of 64 with float32 scales, 8.5 bits a
   * weight: rounding every logit's weights to NF4's 16 levels cost the tuning benchmark's QLoRA
   * most of its ROUGE-L gap to LoRA). A tied head is the NF4 embedding table itself. Only the 1-D
   * RMSNorm weights stay float32: they are {@code (2 · layers + 1) · hidden} values, a few KiB, and
   * every token is multiplied by them unrounded. Irreversible: reload the model to get the float32
   * weights back.
   */
  public void quantizeNf4() {
    if (!quantized.isEmpty()) {
      throw new ModelException("model is already NF4-quantised");
    }
    Map<String, Nf4Weight> nf4 = new HashMap<>();
    for (String name : nf4Names(config)) {
      NDArray w = weights.remove(name);
      nf4.put(name, Nf4Weight.of(Nf4.quantize(w.toFloatArray(), w.getShape().getShape()), manager));
      w.close();
    }
    Int8Weight head = null;
    if (!config.tieWordEmbeddings()) {
      NDArray w = weights.remove(HEAD);
      head = Int8Weight.of(Int8.quantize(w.toFloatArray(), w.getShape().getShape()), manager);
      w.close();
    }
    hold(nf4, head);
  }

  // The weights QLoRA's base holds in NF4: every projection and the embeddings.
  private static List<String> nf4Names(LlamaConfig config) {
    List<String> names = new ArrayList<>();
    for (int l = 0; l < config.numHiddenLayers(); l++) {
      for (String proj : PROJECTIONS) {
        names.add(module(l, proj) + ".weight");
      }
    }
    names.add(EMBEDDINGS);
    return names;
  }

  // Holds quantised weights in place of float32 ones this model does not hold, in nf4Names' order
  // whatever order they were read in.
  private void hold(Map<String, Nf4Weight> nf4, Int8Weight head) {
    for (String name : nf4Names(config)) {
      Nf4Weight q = nf4.get(name);
      if (q != null) {
        quantized.put(name, q);
      }
    }
    head8 = head;
  }

  /**
   * The dtype of the float weights: float32, or float64 for a model made to check gradients against
   * finite differences. Adapters create their arrays in it.
   */
  public DataType dtype() {
    // The final norm: the one weight that is never NF4.
    return weight("model.norm.weight").getDataType();
  }

  /** Whether the base's matrices are held in NF4. */
  public boolean isQuantized() {
    return !quantized.isEmpty();
  }

  /** Bytes the base weights occupy: 4 per float32 weight plus the NF4 and int8 tensors' storage. */
  public long baseWeightBytes() {
    long bytes = 0;
    for (NDArray w : weights.values()) {
      bytes += w.size() * 4;
    }
    for (Nf4Weight q : quantized.values()) {
      bytes += q.bytes();
    }
    if (head8 != null) {
      bytes += head8.bytes();
    }
    return bytes;
  }

  /** Bits per weight of the projections (32 when float32, ≈ 4.127 in NF4). */
  public double projectionBitsPerParameter() {
    if (quantized.isEmpty()) {
      return 32;
    }
    long bits = 0;
    long count = 0;
    for (Map.Entry<String, Nf4Weight> e : quantized.entrySet()) {
      if (e.getKey().startsWith("model.layers.")) {
        bits += e.getValue().bits();
        count += e.getValue().size();
      }
    }
    return (double) bits / count;
  }

  /** The float32 weights, by name (the map is live: fine-tuning updates them in place). */
  public Map<String, NDArray> weights() {
    return java.util.Collections.unmodifiableMap(weights);
  }

  public void attach(Adapter a) {
    this.adapter = a;
  }

  public void detach() {
    this.adapter = null;
  }

  /** Detaches {@code a} if it is the attached adapter (closing an adapter calls this). */
  public void detach(Adapter a) {
    if (adapter == a) {
      adapter = null;
    }
  }

  public KvCache newCache(NDManager parent) {
    return new KvCache(parent, config.numHiddenLayers());
  }

  /**
   * Logits (batch, tokens, vocab) for {@code ids} (batch, tokens; int64), which follow the {@code
   * cache}'s tokens when one is given (and are then added to it). Intermediate arrays belong to
   * {@code ids}' manager, so a caller frees a step by closing that manager.
   *
   * @throws ModelException when the sequence would pass {@code max_position_embeddings}
   */
  public NDArray forward(NDArray ids, KvCache cache, boolean training) {
    return forward(ids, cache, null, training);
  }

  /**
   * Logits of a left-padded batch: as {@link #forward(NDArray, KvCache, boolean)}, with row r's
   * first {@code padding.of(r)} columns (of the cache's and {@code ids}' together) padding that no
   * real token attends to, and positions counted from each row's first real token. {@code null}
   * padding is the unpadded case.
   *
   * @throws ModelException when a row's tokens would pass {@code max_position_embeddings}
   */
  public NDArray forward(NDArray ids, KvCache cache, LeftPadding padding, boolean training) {
    Nf4Weight table = quantized.get(EMBEDDINGS);
    if (table != null && config.tieWordEmbeddings()) {
      // The tied head needs the whole table anyway: dequantise it once for lookup and head.
      NDArray embeddings = table.dequantize(ids.getManager());
      return project(hidden(ids, null, cache, padding, training, embeddings), embeddings);
    }
    return logits(hidden(ids, null, cache, padding, training, null));
  }

  /**
   * The decoder's final hidden states (batch, tokens, hidden), after the final RMSNorm and before
   * the LM head: what {@link #forward} projects to logits. Embedders pool these, and a caller that
   * needs the logits of a few positions only slices them first and calls {@link #logits}, instead
   * of projecting every position onto the vocabulary. Same arguments and errors as {@link
   * #forward}.
   */
  public NDArray hidden(NDArray ids, KvCache cache, boolean training) {
    return hidden(ids, null, cache, null, training, null);
  }

  /**
   * The final hidden states of a left-padded batch; see {@link #forward(NDArray, KvCache,
   * LeftPadding, boolean)}.
   */
  public NDArray hidden(NDArray ids, KvCache cache, LeftPadding padding, boolean training) {
    return hidden(ids, null, cache, padding, training, null);
  }

  /**
   * Logits (tokens, vocab) of the real tokens of a right-padded batch, in row order: row r of
   * {@code ids} (batch, width; int64) holds {@code lengths[r]} tokens and then padding. The same
   * logits as {@link #forward(NDArray, KvCache, boolean)} at those positions (up to float
   * rounding), without the work on padding: every projection, norm and the head run on the real
   * tokens alone, and only the attention sees the padded grid, where the causal mask keeps padding
   * (which comes after a row's tokens) from reaching a real token. Training calls this.
   *
   * @throws IllegalArgumentException when {@code lengths} does not fit {@code ids}
   * @throws ModelException when a row is longer than {@code max_position_embeddings}
   */
  public NDArray forwardUnpadded(NDArray ids, int[] lengths, boolean training) {
    TokenGrid grid = TokenGrid.of(lengths, ids.getShape(), ids.getManager());
    NDArray real = ids.flatten().get(grid.real());
    Nf4Weight table = quantized.get(EMBEDDINGS);
    if (table != null && config.tieWordEmbeddings()) {
      NDArray embeddings = table.dequantize(ids.getManager());
      return project(hidden(real, grid, null, null, training, embeddings), embeddings);
    }
    return logits(hidden(real, grid, null, null, training, null));
  }

  /**
   * A micro-batch's forward and backward pass with activations recomputed layer by layer (gradient
   * checkpointing; see {@link LayerRecompute}): adds the gradient of {@code gradientScale ·
   * objective(logits)} into every array that requires one, where the logits are {@link
   * #forwardUnpadded}'s (in training mode or not: dropout), and returns the objective's value. The
   * gradients are those of a {@code GradientCollector}'s backward pass of the same product up to
   * float rounding, while the memory autograd holds is one layer's; it costs about one more forward
   * pass. Dropout masks are drawn afresh for each layer from {@code seed + layer}, the same in both
   * passes, from PyTorch's one process-wide generator: no other thread may draw from it meanwhile.
   * {@code collector} is the open collector the gradients go to; {@code ids}' manager keeps the
   * pass's index arrays and the embeddings' output until the caller closes it.
   *
   * @throws IllegalArgumentException when {@code lengths} does not fit {@code ids}
   * @throws ModelException when a row is longer than {@code max_position_embeddings}
   */
  public double backwardRecomputing(
      ai.djl.training.GradientCollector collector,
      NDArray ids,
      int[] lengths,
      java.util.function.Function<NDArray, NDArray> objective,
      double gradientScale,
      long seed,
      boolean training) {
    return new LayerRecompute(this)
        .backward(collector, ids, lengths, objective, gradientScale, seed, training);
  }

  // Whether the token embeddings are a trained array (full fine-tuning), whose gradient then
  // needs the embedding lookup's backward pass.
  boolean embeddingsTrain() {
    NDArray e = weights.get(EMBEDDINGS);
    return e != null && e.hasGradient();
  }

  // ids: (batch, tokens), or with a grid the real tokens (n) it places; embeddings: the dequantised
  // table when the caller has it already, else null. The hidden states come back in the layout
  // the ids came in.
  private NDArray hidden(
      NDArray ids,
      TokenGrid grid,
      KvCache cache,
      LeftPadding padding,
      boolean training,
      NDArray embeddings) {
    Pass pass = pass(ids, grid, cache, padding);
    NDArray h = embed(ids, embeddings);
    for (int l = 0; l < config.numHiddenLayers(); l++) {
      h = layer(l, h, pass, training);
    }
    if (cache != null) {
      cache.advance(pass.tokens());
    }
    return finalNorm(h, pass);
  }

  /**
   * What every layer of one forward pass shares: the attention's blocks of rows, the grid of the
   * real tokens (null for a padded batch), the cache (or null), the number of new tokens per row,
   * and RMSNorm's eps and exponent, made once for the pass's 2 · layers + 1 norms.
   */
  record Pass(List<Block> blocks, TokenGrid grid, KvCache cache, int tokens, NDArray[] norm) {}

  // The pass's masks and rotary tables, checked against the context; arrays belong to ids'
  // manager.
  Pass pass(NDArray ids, TokenGrid grid, KvCache cache, LeftPadding padding) {
    NDManager m = ids.getManager();
    long b = grid != null ? grid.rows() : ids.getShape().get(0);
    int t = grid != null ? grid.width() : Math.toIntExact(ids.getShape().get(1));
    int past = cache == null ? 0 : cache.length();
    if (padding != null && padding.rows() != b) {
      throw new IllegalArgumentException(
          "padding for " + padding.rows() + " rows, but the batch has " + b);
    }
    int longest = past + t - (padding == null ? 0 : padding.min());
    if (longest > config.maxPositionEmbeddings()) {
      throw new ModelException(
          "a sequence of "
              + longest
              + " tokens is longer than the context of "
              + config.maxPositionEmbeddings());
    }
    int nh = config.numAttentionHeads();
    int nkv = config.numKeyValueHeads();
    int hd = config.headDim();
    int prefix = adapter == null ? 0 : adapter.prefixLength();
    List<Block> blocks = new ArrayList<>();
    if (grid != null) {
      // One block per group of rows of about the same length, each as wide as its longest row.
      for (TokenGrid.Group g : grid.groups()) {
        int w = g.width();
        NDArray cos = local(ropeCos.get(new NDIndex(":{}", w)), m).reshape(w, nh + nkv, hd);
        NDArray sin = local(ropeSin.get(new NDIndex(":{}", w)), m).reshape(w, nh + nkv, hd);
        blocks.add(block(g.rows(), w, cos, sin, withPrefix(causalMask(m, w, 0), prefix, m)));
      }
    } else if (padding == null) {
      // (tokens, query + key heads, head dim), broadcast over the batch.
      NDArray cos =
          local(ropeCos.get(new NDIndex("{}:{}", past, past + t)), m).reshape(t, nh + nkv, hd);
      NDArray sin =
          local(ropeSin.get(new NDIndex("{}:{}", past, past + t)), m).reshape(t, nh + nkv, hd);
      blocks.add(block(b, t, cos, sin, withPrefix(causalMask(m, t, past), prefix, m)));
    } else {
      // Each row's own positions pick its rows of the tables: (batch, tokens, heads, head dim).
      NDArray positions = positions(m, padding, t, past);
      NDArray cos = local(table(positions, ropeCos), m).reshape(b, t, nh + nkv, hd);
      NDArray sin = local(table(positions, ropeSin), m).reshape(b, t, nh + nkv, hd);
      // (batch, 1, 1, tokens, keys): one mask for every head of every KV group.
      NDArray mask = paddedMask(m, padding, t, past).expandDims(1);
      if (prefix > 0) {
        mask = m.zeros(new Shape(b, 1, 1, t, prefix)).concat(mask, 4);
      }
      blocks.add(block(b, t, cos, sin, mask));
    }
    NDArray[] norm = {Torch.scalar(m, config.rmsNormEps()), Torch.scalar(m, -0.5)};
    return new Pass(List.copyOf(blocks), grid, cache, t, norm);
  }

  // Decoder layer l on hidden states h; its intermediates belong to h's manager.
  NDArray layer(int l, NDArray h, Pass pass, boolean training) {
    NDManager m = h.getManager();
    TokenGrid grid = pass.grid();
    String p = "model.layers." + l + ".";
    NDArray x = rmsNorm(h, weight(p + "input_layernorm.weight"), pass.norm());
    // q, k and v in one product, spread onto each block's grid for the attention.
    NDArray qkv = linear(x, l, ATTENTION_INPUTS, training);
    NDList inputs = grid == null ? new NDList(qkv) : grid.spread(qkv);
    NDList outputs = new NDList();
    for (int i = 0; i < pass.blocks().size(); i++) {
      outputs.add(attention(inputs.get(i), pass.blocks().get(i), l, pass.cache(), m));
    }
    NDArray attn = grid == null ? outputs.get(0) : grid.gather(outputs);
    h = linear(attn, p + "self_attn.o_proj", h, training);
    x = rmsNorm(h, weight(p + "post_attention_layernorm.weight"), pass.norm());
    NDArray gate = linear(x, p + "mlp.gate_proj", training);
    NDArray act = gate.mul(Activation.sigmoid(gate)).mul(linear(x, p + "mlp.up_proj", training));
    return linear(act, p + "mlp.down_proj", h, training);
  }

  NDArray finalNorm(NDArray h, Pass pass) {
    return rmsNorm(h, weight("model.norm.weight"), pass.norm());
  }

  /**
   * Rows that attend together: {@code rows} sequences of {@code tokens} positions seeing {@code
   * keys} keys (cache and prefix included), the rotary tables of their query and key heads, and the
   * mask added to their scores.
   */
  record Block(
      long rows,
      int tokens,
      int keys,
      NDArray cosQ,
      NDArray sinQ,
      NDArray cosK,
      NDArray sinK,
      NDArray mask) {}

  // mask: (tokens, keys) or (rows, 1, 1, tokens, keys), the last axis the keys.
  private Block block(long rows, int tokens, NDArray cos, NDArray sin, NDArray mask) {
    int nh = config.numAttentionHeads();
    NDIndex queryHeads = new NDIndex("..., :{}, :", nh);
    NDIndex keyHeads = new NDIndex("..., {}:, :", nh);
    long keys = mask.getShape().get(mask.getShape().dimension() - 1);
    return new Block(
        rows,
        tokens,
        Math.toIntExact(keys),
        cos.get(queryHeads),
        sin.get(queryHeads),
        cos.get(keyHeads),
        sin.get(keyHeads),
        mask);
  }

  // Every token sees the whole prefix: it precedes the sequence.
  private static NDArray withPrefix(NDArray mask, int prefix, NDManager m) {
    if (prefix == 0) {
      return mask;
    }
    return m.zeros(new Shape(mask.getShape().get(0), prefix)).concat(mask, 1);
  }

  // Self-attention of one block: its q|k|v side by side (rows, tokens, …) or (rows · tokens, …),
  // the attended values (rows, tokens, query heads · head dim) out.
  private NDArray attention(NDArray qkv, Block blk, int layer, KvCache cache, NDManager m) {
    int nh = config.numAttentionHeads();
    int nkv = config.numKeyValueHeads();
    int hd = config.headDim();
    int rep = nh / nkv;
    long b = blk.rows();
    int t = blk.tokens();
    // Split, not sliced: one split's backward pass is one concatenation, each slice's a zeroed
    // copy of the whole input.
    NDList qkAndV = qkv.reshape(b, t, nh + 2L * nkv, hd).split(new long[] {nh, nh + nkv}, 2);
    NDArray rq = rope(qkAndV.get(0), blk.cosQ(), blk.sinQ(), hd);
    NDArray rk = rope(qkAndV.get(1), blk.cosK(), blk.sinK(), hd);
    // (batch, KV heads, rep · tokens, head dim): the query heads that share a KV head (HF's
    // repeat_kv gives KV head g to query heads g·rep ... g·rep + rep - 1) one after another, so
    // they meet their keys and values in one product without copying those rep times.
    NDArray queries =
        rq.reshape(b, t, nkv, rep, hd).transpose(0, 2, 3, 1, 4).reshape(b, nkv, (long) rep * t, hd);
    NDArray k = rk.transpose(0, 2, 1, 3);
    NDArray v = qkAndV.get(2).transpose(0, 2, 1, 3);
    if (cache != null) {
      NDArray[] kv = cache.append(layer, k, v);
      k = kv[0];
      v = kv[1];
    }
    if (adapter != null && adapter.prefixLength() > 0) {
      // Prefixes stay out of the cache, which then holds the sequence's own tokens only.
      NDArray[] pkv = adapter.prefix(layer, b, m);
      k = pkv[0].concat(k, 2);
      v = pkv[1].concat(v, 2);
    }
    // The queries carry 1/√(head dim) from the rotary tables.
    NDArray scores =
        matMul(queries, k.transpose(0, 1, 3, 2), m)
            .reshape(b, nkv, rep, t, blk.keys())
            .add(blk.mask());
    return matMul(scores.softmax(-1).reshape(b, nkv, (long) rep * t, blk.keys()), v, m)
        .reshape(b, nkv, rep, t, hd)
        .transpose(0, 3, 1, 2, 4)
        .reshape(b, t, (long) nh * hd);
  }

  /** Logits (..., vocab) of final hidden states (..., hidden) from {@link #hidden}: the LM head. */
  public NDArray logits(NDArray hidden) {
    String name = config.tieWordEmbeddings() ? EMBEDDINGS : HEAD;
    if (isInt8(name)) {
      return project(hidden, head8.dequantize(hidden.getManager()));
    }
    Nf4Weight q = quantized.get(name);
    return project(hidden, q != null ? q.dequantize(hidden.getManager()) : weight(name));
  }

  // The token embeddings of ids. In NF4, a lookup of fewer tokens than the vocabulary has rows
  // dequantises the rows it reads; a larger one (a long batch over a small vocabulary) the table
  // once, which is then the smaller job (see the README, "Tuning benchmark").
  NDArray embed(NDArray ids, NDArray embeddings) {
    Nf4Weight q = quantized.get(EMBEDDINGS);
    NDArray table = embeddings;
    if (table == null && q != null) {
      if (ids.size() < config.vocabSize() && Nf4Weight.rowsAreWholeBlocks(q.shape().getShape())) {
        return q.dequantizeRows(ids, ids.getManager());
      }
      table = q.dequantize(ids.getManager());
    }
    if (table == null) {
      table = weight(EMBEDDINGS);
    }
    return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
  }

  /** The dtype matrix products run in ({@link Precision#FP32} unless set); weights stay float32. */
  public Precision precision() {
    return precision;
  }

  /** Sets the dtype of matrix products; a trainer sets it for its run (see {@link Precision}). */
  public void setPrecision(Precision p) {
    this.precision = java.util.Objects.requireNonNull(p);
  }

  // x·wᵀ in the compute dtype, returned as float32. Both casts are recorded by autograd (see
  // Precision), so the gradient reaches the float32 weight, the master copy, as float32.
  private NDArray project(NDArray x, NDArray w) {
    if (precision == Precision.FP32) {
      return Linear.linear(x, w).singletonOrThrow();
    }
    NDManager m = x.getManager();
    return Precision.up(
        Linear.linear(precision.down(x, m), precision.down(w, m)).singletonOrThrow(), m);
  }

  private NDArray matMul(NDArray a, NDArray b, NDManager m) {
    if (precision == Precision.FP32) {
      return a.matMul(b);
    }
    return Precision.up(precision.down(a, m).matMul(precision.down(b, m)), m);
  }

  // a, moved into m: an op's result belongs to its input's manager (a weight's, say), and moving
  // it to the step's or the layer's frees it with them.
  static NDArray local(NDArray a, NDManager m) {
    a.attach(m);
    return a;
  }

  private NDArray linear(NDArray x, String module, boolean training) {
    NDArray y = project(x, projectionWeight(module, x.getManager()));
    return adapter == null ? y : adapter.apply(module, x, y, training);
  }

  // residual + x·wᵀ (and the adapter's change): in full precision the residual connection is the
  // product's bias where libtorch takes one (see Torch.plusProduct).
  private NDArray linear(NDArray x, String module, NDArray residual, boolean training) {
    NDArray w = projectionWeight(module, x.getManager());
    NDArray y =
        precision == Precision.FP32
            ? Torch.plusProduct(residual, x, w)
            : residual.add(project(x, w));
    return adapter == null ? y : adapter.apply(module, x, y, training);
  }

  // One product for the projections of a layer that share their input (q, k and v), their weights
  // stacked (out₁ + out₂ + ..., in) as in Hugging Face's fused qkv_proj, their outputs side by side
  // in that order: fewer and larger products, and one gradient for the shared input instead of a
  // sum of several. The weights are stacked again in
  // each pass (a copy of a few hundred KiB), not cached, because fine-tuning, merging and
  // unmerging change them in place (and safetensors files keep them apart).
  private NDArray linear(NDArray x, int layer, List<String> projections, boolean training) {
    NDManager m = x.getManager();
    List<String> modules = new ArrayList<>();
    NDList ws = new NDList();
    long[] widths = new long[projections.size()];
    for (int i = 0; i < widths.length; i++) {
      String module = module(layer, projections.get(i));
      NDArray w = projectionWeight(module, m);
      modules.add(module);
      ws.add(w);
      widths[i] = w.getShape().get(0);
    }
    NDArray y = project(x, local(NDArrays.concat(ws, 0), m));
    return adapter == null ? y : adapter.apply(modules, x, y, widths, training);
  }

  private NDArray projectionWeight(String module, NDManager m) {
    Nf4Weight q = quantized.get(module + ".weight");
    return q != null ? q.dequantize(m) : weight(module + ".weight");
  }

  // x / √(mean(x²) + eps) · w, as a product with the reciprocal: its backward pass is two products
  // where a quotient's is a quotient and three products.
  private static NDArray rmsNorm(NDArray x, NDArray w, NDArray[] epsAndExponent) {
    NDArray ms = x.square().mean(new int[] {-1}, true);
    return x.mul(ms.add(epsAndExponent[0]).pow(epsAndExponent[1])).mul(w);
  }

  // HF's apply_rotary_pos_emb: x·cos + rotate_half(x)·sin, rotate_half(x) = [-x2, x1]; with the
  // halves swapped by one flip and the sign in the sine table (see ropeTables), [x2, x1]·[-sin,
  // sin].
  private static NDArray rope(NDArray x, NDArray cos, NDArray sin, int hd) {
    Shape s = x.getShape();
    long[] halves = Arrays.copyOf(s.getShape(), s.dimension() + 1);
    halves[s.dimension() - 1] = 2;
    halves[s.dimension()] = hd / 2;
    NDArray swapped = x.reshape(new Shape(halves)).flip(s.dimension() - 1).reshape(s);
    return x.mul(cos).add(swapped.mul(sin));
  }

  private static NDArray table(NDArray positions, NDArray table) {
    return Embedding.embedding(positions, table, SparseFormat.DENSE).singletonOrThrow();
  }

  // Column c of row r is position c - padding (padding columns: 0, they are masked anyway).
  private static NDArray positions(NDManager m, LeftPadding padding, int t, int past) {
    int b = padding.rows();
    long[] pos = new long[b * t];
    for (int r = 0; r < b; r++) {
      for (int i = 0; i < t; i++) {
        pos[r * t + i] = Math.max(0, past + i - padding.of(r));
      }
    }
    return m.create(pos, new Shape(b, t));
  }

  // (batch, 1, tokens, past + tokens): causal, and no real token sees padding. A padding column
  // sees itself, so its softmax has a finite term and no NaN reaches the real tokens through it
  // (their weight on it is exactly 0, but 0·NaN is NaN).
  private static NDArray paddedMask(NDManager m, LeftPadding padding, int t, int past) {
    int b = padding.rows();
    int total = past + t;
    float[] mask = new float[b * t * total];
    for (int r = 0; r < b; r++) {
      int pad = padding.of(r);
      for (int i = 0; i < t; i++) {
        int query = past + i;
        for (int j = 0; j < total; j++) {
          boolean visible = j <= query && (j >= pad || j == query);
          mask[(r * t + i) * total + j] = visible ? 0f : Float.NEGATIVE_INFINITY;
        }
      }
    }
    return m.create(mask, new Shape(b, 1, t, total));
  }

  private static NDArray causalMask(NDManager m, int t, int past) {
    int total = past + t;
    float[] mask = new float[t * total];
    for (int i = 0; i < t; i++) {
      for (int j = past + i + 1; j < total; j++) {
        mask[i * total + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return m.create(mask, new Shape(t, total));
  }

  /**
   * Token ids of several sequences, left-padded with {@code pad} to the longest, as the (rows,
   * longest) int64 array {@link #forward(NDArray, KvCache, LeftPadding, boolean)} takes with {@link
   * #leftPadding} of the same sequences.
   */
  public static NDArray ids(NDManager m, List<int[]> rows, int pad) {
    int width = rows.stream().mapToInt(r -> r.length).max().orElseThrow();
    long[] l = new long[rows.size() * width];
    for (int r = 0; r < rows.size(); r++) {
      int[] row = rows.get(r);
      int lead = width - row.length;
      Arrays.fill(l, r * width, r * width + lead, pad);
      for (int j = 0; j < row.length; j++) {
        l[r * width + lead + j] = row[j];
      }
    }
    return m.create(l, new Shape(rows.size(), width));
  }

  /** The padding {@link #ids(NDManager, List, int)} puts in front of each of {@code rows}. */
  public static LeftPadding leftPadding(List<int[]> rows) {
    int width = rows.stream().mapToInt(r -> r.length).max().orElseThrow();
    return new LeftPadding(rows.stream().mapToInt(r -> width - r.length).toArray());
  }

  /** Token ids as the (1, n) int64 array {@link #forward} takes. */
  public static NDArray ids(NDManager m, int[] tokens) {
    long[] l = Arrays.stream(tokens).asLongStream().toArray();
    return m.create(l, new Shape(1, l.length)).toType(DataType.INT64, false);
  }

  @Override
  public void close() {
    manager.close();
  }
}
