package io.ascribe.inference.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.Adapter;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.ModelHash;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.safetensors.SafeTensorsFile;
import io.ascribe.inference.safetensors.SafeTensorsWriter;
import io.ascribe.inference.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * LoRA (Hu et al. 2021) on a {@link LlamaModel}'s projections: each adapted projection W gets W·x +
 * (alpha/r)·B·A·x, with A (r × in) drawn uniform in ±1/√in (PEFT's Kaiming-uniform) and B (out × r)
 * zero, so a fresh adapter leaves the model unchanged. {@link #merge} folds B·A into W for
 * inference at no extra cost and {@link #unmerge} takes it out again. Saved alone as PEFT does:
 * {@code adapter_model.safetensors} with {@code base_model.model.<module>.lora_A.weight} names plus
 * {@code adapter_config.json}.
 */
public final class LoraAdapter implements Adapter, Trainable {
  public static final String WEIGHTS_FILE = "adapter_model.safetensors";
  public static final String CONFIG_FILE = "adapter_config.json";
  private static final String PREFIX = "base_model.model.";

  private final LoraConfig config;
  private final LlamaModel base;
  private final NDManager manager;
  private final Map<String, NDArray> a;
  private final Map<String, NDArray> b;
  private boolean merged;

  private LoraAdapter(
      LoraConfig config,
      LlamaModel base,
      NDManager manager,
      Map<String, NDArray> a,
      Map<String, NDArray> b) {
    this.config = config;
    this.base = base;
    this.manager = manager;
    this.a = a;
    this.b = b;
  }

  private static List<String> modules(LlamaModel base, LoraConfig config) {
    List<String> out = new ArrayList<>();
    for (int l = 0; l < base.config().numHiddenLayers(); l++) {
      for (String t : config.targetModules()) {
        out.add(LlamaModel.module(l, t));
      }
    }
    return out;
  }

  /** A fresh adapter for {@code base}; A is drawn from {@code seed}, B is zero. */
  public static LoraAdapter create(LlamaModel base, LoraConfig config, long seed) {
    Random random = new Random(seed);
    NDManager m = base.manager().newSubManager();
    Map<String, NDArray> as = new LinkedHashMap<>();
    Map<String, NDArray> bs = new LinkedHashMap<>();
    for (String module : modules(base, config)) {
      Shape w = base.weightShape(module + ".weight");
      long out = w.get(0);
      long in = w.get(1);
      float bound = (float) (1 / Math.sqrt(in));
      float[] av = new float[Math.toIntExact(config.rank() * in)];
      for (int i = 0; i < av.length; i++) {
        av[i] = (random.nextFloat() * 2 - 1) * bound;
      }
      as.put(module, inDtype(m.create(av, new Shape(config.rank(), in)), base));
      bs.put(module, m.zeros(new Shape(out, config.rank()), base.dtype()));
    }
    return new LoraAdapter(config, base, m, as, bs);
  }

  // The adapter computes in its base's dtype (float64 only where gradients are checked).
  static NDArray inDtype(NDArray a, LlamaModel base) {
    if (a.getDataType() == base.dtype()) {
      return a;
    }
    NDArray cast = a.toType(base.dtype(), true);
    a.close();
    return cast;
  }

  public LoraConfig config() {
    return config;
  }

  /** The trainable arrays, A and B of every adapted projection. */
  public List<NDArray> parameters() {
    List<NDArray> p = new ArrayList<>();
    for (String module : a.keySet()) {
      p.add(a.get(module));
      p.add(b.get(module));
    }
    return p;
  }

  /** A and B by their PEFT names, {@code <module>.lora_A.weight} then {@code lora_B}. */
  @Override
  public Map<String, NDArray> namedParameters() {
    Map<String, NDArray> p = new LinkedHashMap<>();
    for (String module : a.keySet()) {
      p.put(module + ".lora_A.weight", a.get(module));
      p.put(module + ".lora_B.weight", b.get(module));
    }
    return p;
  }

  public boolean merged() {
    return merged;
  }

  @Override
  public NDArray apply(String module, NDArray input, NDArray baseOutput, boolean training) {
    NDArray am = a.get(module);
    if (merged || am == null) {
      return baseOutput;
    }
    NDArray x =
        training && config.dropout() > 0
            ? Dropout.dropout(input, (float) config.dropout(), true).singletonOrThrow()
            : input;
    NDArray low = Linear.linear(x, am).singletonOrThrow();
    // The base output as the product's bias where libtorch takes one.
    return Torch.plusProduct(baseOutput, low, scaledB(module, x.getManager()));
  }

  /**
   * For projections that ran as one product, one product with their A matrices stacked (r · k, in),
   * then each B on its r columns: the input's gradient is then one product instead of a sum of k.
   * With dropout in training each projection draws its own mask, as apart, so that case goes module
   * by module.
   */
  @Override
  public NDArray apply(
      List<String> modules, NDArray input, NDArray baseOutput, long[] widths, boolean training) {
    if (merged
        || (training && config.dropout() > 0)
        || !modules.stream().allMatch(a::containsKey)) {
      return Adapter.super.apply(modules, input, baseOutput, widths, training);
    }
    NDManager m = input.getManager();
    NDList as = new NDList();
    for (String module : modules) {
      as.add(a.get(module));
    }
    NDArray stacked = NDArrays.concat(as, 0);
    stacked.attach(m);
    NDArray low = Linear.linear(input, stacked).singletonOrThrow();
    NDList lows = low.split(modules.size(), low.getShape().dimension() - 1);
    NDList updates = new NDList();
    for (int i = 0; i < modules.size(); i++) {
      updates.add(Linear.linear(lows.get(i), scaledB(modules.get(i), m)).singletonOrThrow());
    }
    return baseOutput.add(NDArrays.concat(updates, low.getShape().dimension() - 1));
  }

  // scale · B, an (out × r) product where scaling B·A·x would be an (tokens × out) one; the scale
  // is a scalar libtorch owns, which autograd may save for the backward pass (see Torch.scalar).
  private NDArray scaledB(String module, NDManager m) {
    NDArray scaled = b.get(module).mul(Torch.scalar(m, config.scale()));
    scaled.attach(m);
    return scaled;
  }

  /** Adds scale·B·A into the base weights; the adapter then passes outputs through. */
  public void merge() {
    if (merged) {
      throw new IllegalStateException("adapter already merged");
    }
    if (base.isQuantized()) {
      // Folding into NF4 would requantise the base and lose the update's precision.
      throw new ModelException("cannot merge a LoRA adapter into an NF4-quantised base");
    }
    fold(1);
    merged = true;
  }

  /** Subtracts scale·B·A from the base weights again. */
  public void unmerge() {
    if (!merged) {
      throw new IllegalStateException("adapter is not merged");
    }
    fold(-1);
    merged = false;
  }

  private void fold(int sign) {
    for (String module : a.keySet()) {
      try (NDManager tmp = manager.newSubManager()) {
        NDArray delta = b.get(module).matMul(a.get(module)).mul(sign * config.scale());
        delta.attach(tmp);
        base.weight(module + ".weight").addi(delta);
      }
    }
  }

  /** Writes {@code adapter_model.safetensors} and {@code adapter_config.json} into {@code dir}. */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<SafeTensorsWriter.Tensor> tensors = new ArrayList<>();
    for (String module : a.keySet()) {
      for (var e : Map.of("lora_A", a.get(module), "lora_B", b.get(module)).entrySet()) {
        NDArray arr = e.getValue();
        tensors.add(
            SafeTensorsWriter.Tensor.f32(
                PREFIX + module + "." + e.getKey() + ".weight",
                arr.getShape().getShape(),
                arr.toFloatArray()));
      }
    }
    SafeTensorsWriter.write(dir.resolve(WEIGHTS_FILE), Map.of("format", "pt"), tensors);
    ObjectNode json = config.toJson();
    ModelHash.describeBase(json, base);
    Files.writeString(
        dir.resolve(CONFIG_FILE),
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
  }

  /**
   * Reads an adapter saved by {@link #save} for {@code base}.
   *
   * @throws ModelException when its config names another base (see {@link ModelHash#checkBase}), it
   *     was trained on an NF4 base and {@code base} is not quantised, or its tensors do not fit
   *     {@code base}'s projections
   */
  public static LoraAdapter load(Path dir, LlamaModel base) throws IOException {
    Path cfgFile = dir.resolve(CONFIG_FILE);
    if (!Files.exists(cfgFile)) {
      throw new ModelException(dir + ": no " + CONFIG_FILE);
    }
    JsonNode json = new ObjectMapper().readTree(cfgFile.toFile());
    LoraConfig config = LoraConfig.fromJson(json);
    ModelHash.checkBase(cfgFile, json, base);
    if (ModelHash.trainedOnNf4(cfgFile, json) && !base.isQuantized()) {
      throw new ModelException(
          cfgFile + ": trained on an NF4-quantised base (QLoRA); quantise the base first");
    }
    NDManager m = base.manager().newSubManager();
    Map<String, NDArray> as = new LinkedHashMap<>();
    Map<String, NDArray> bs = new LinkedHashMap<>();
    Path file = dir.resolve(WEIGHTS_FILE);
    try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
      List<String> modules = modules(base, config);
      if (st.tensors().size() != 2 * modules.size()) {
        throw new ModelException(
            file
                + ": "
                + st.tensors().size()
                + " tensors, but rank "
                + config.rank()
                + " on "
                + config.targetModules()
                + " needs "
                + 2 * modules.size());
      }
      for (String module : modules) {
        Shape w = base.weightShape(module + ".weight");
        as.put(module, read(st, module, "lora_A", new long[] {config.rank(), w.get(1)}, m));
        bs.put(module, read(st, module, "lora_B", new long[] {w.get(0), config.rank()}, m));
      }
    } catch (IOException | RuntimeException e) {
      m.close();
      throw e;
    }
    return new LoraAdapter(config, base, m, as, bs);
  }

  private static NDArray read(
      SafeTensorsFile st, String module, String part, long[] shape, NDManager m)
      throws IOException {
    String name = PREFIX + module + "." + part + ".weight";
    if (!st.contains(name)) {
      throw new ModelException(st.path() + ": missing " + name);
    }
    TensorInfo info = st.info(name);
    if (!Arrays.equals(info.shape(), shape)) {
      throw new ModelException(
          st.path()
              + ": "
              + name
              + " has shape "
              + Arrays.toString(info.shape())
              + " but the base model needs "
              + Arrays.toString(shape)
              + " (an adapter for another base?)");
    }
    return m.create(st.floats(name), new Shape(shape));
  }

  /**
   * Detaches from the base (when attached) and frees A and B; merged weights stay in the base (that
   * is how a merged model is exported).
   */
  @Override
  public void close() {
    base.detach(this);
    manager.close();
  }
}
