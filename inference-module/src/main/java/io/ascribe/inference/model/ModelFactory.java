package io.ascribe.inference.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Random-initialised models, as Hugging Face initialises Llama: projections and embeddings drawn
 * from N(0, 0.02²), norms at 1. Values come from {@link java.util.Random}, whose sequence the Java
 * specification fixes, so a seed gives the same weights on every machine and device.
 */
public final class ModelFactory {
  public static final double INIT_STD = 0.02;

  private ModelFactory() {}

  public static LlamaModel create(LlamaConfig config, long seed, NDManager parent) {
    return create(config, seed, parent, DataType.FLOAT32);
  }

  /**
   * The same weights held in {@code dtype}: float32, or float64, where a central difference of the
   * loss is accurate enough to check autograd's gradients (the values are the float32 ones,
   * widened).
   */
  public static LlamaModel create(LlamaConfig config, long seed, NDManager parent, DataType dtype) {
    if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64) {
      throw new IllegalArgumentException("weights are float32 or float64, not " + dtype);
    }
    Random random = new Random(seed);
    Map<String, float[]> values = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : LlamaModel.expectedShapes(config).entrySet()) {
      long n = 1;
      for (long d : e.getValue()) {
        n *= d;
      }
      float[] v = new float[Math.toIntExact(n)];
      if (e.getKey().endsWith("norm.weight")) {
        java.util.Arrays.fill(v, 1f);
      } else {
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (random.nextGaussian() * INIT_STD);
        }
      }
      values.put(e.getKey(), v);
    }
    return LlamaModel.fromFloats(config, parent, values, "ModelFactory", dtype);
  }

  /** Writes a random-initialised model directory ({@code config.json}, weights). */
  public static void write(LlamaConfig config, long seed, Path dir, NDManager parent)
      throws IOException {
    try (LlamaModel model = create(config, seed, parent)) {
      model.save(dir);
    }
  }
}
