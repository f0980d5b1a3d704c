package io.ascribe.inference.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ascribe.inference.model.Adapter;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.Trainable;
import java.util.LinkedHashMap;
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
      keys[l] = manager.create(gaussian(random, shape.size()), shape);
      values[l] = manager.create(gaussian(random, shape.size()), shape);
    }
  }

  /** A fresh prefix of {@code length} positions for {@code base}, drawn from {@code seed}. */
  public static PrefixAdapter create(LlamaModel base, int length, long seed) {
    return new PrefixAdapter(base, length, seed);
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

  /** Detaches from the base (when attached) and frees the prefixes. */
  @Override
  public void close() {
    base.detach(this);
    manager.close();
  }
}
