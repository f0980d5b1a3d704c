package io.ascribe.inference.quant;

import java.util.Arrays;

/**
 * 4-bit NormalFloat quantisation as QLoRA defines it (Dettmers et al. 2023, and bitsandbytes'
 * {@code quantize_4bit(quant_type="nf4")}): weights are cut into blocks of {@value #BLOCK}, each
 * block divided by its absolute maximum and every value replaced by the index of the nearest of the
 * 16 {@link #LEVELS}, two indices per byte (first in the high nibble). The block maxima are then
 * quantised themselves ("double quantisation"): their mean is subtracted and the centred maxima are
 * coded to 8 bits with bitsandbytes' signed dynamic map in blocks of {@value #SCALE_BLOCK}, each
 * with a float32 scale. That costs 4 + 8/64 + 32/(64·256) ≈ 4.127 bits per weight.
 */
public final class Nf4 {
  public static final int BLOCK = 64;
  public static final int SCALE_BLOCK = 256;

  /**
   * The NF4 levels, exactly as bitsandbytes types them (the quantiles of N(0, 1) normalised to [-1,
   * 1], with an exact zero and 8 positive / 7 negative values).
   */
  static final float[] LEVELS = {
    -1.0f,
    -0.6961928009986877f,
    -0.5250730514526367f,
    -0.39491748809814453f,
    -0.28444138169288635f,
    -0.18477343022823334f,
    -0.09105003625154495f,
    0.0f,
    0.07958029955625534f,
    0.16093020141124725f,
    0.24611230194568634f,
    0.33791524171829224f,
    0.44070982933044434f,
    0.5626170039176941f,
    0.7229568362236023f,
    1.0f
  };

  /** bitsandbytes' {@code create_dynamic_map(signed=True)}: 256 sorted values in [-1, 1]. */
  static final float[] DYNAMIC_MAP = dynamicMap();

  private Nf4() {}

  /** The 16 NF4 levels, ascending. */
  public static float[] levels() {
    return LEVELS.clone();
  }

  /** The 256 values an 8-bit scale code stands for, ascending. */
  public static float[] dynamicMapValues() {
    return DYNAMIC_MAP.clone();
  }

  /**
   * Bits per weight for a large tensor: 4 for the code, 8 per block of 64 for its scale, 32 per 256
   * scales for their own scale; the one mean offset per tensor vanishes in the limit.
   */
  public static double nominalBitsPerParameter() {
    return 4 + 8.0 / BLOCK + 32.0 / ((double) BLOCK * SCALE_BLOCK);
  }

  // Seven decades of exponent, each with 2^i linearly spaced mantissas (the midpoints of
  // linspace(0.1, 1, 2^i + 1)), mirrored for the sign, plus 0 and 1: a float-like 8-bit code that
  // is dense near zero, where the centred block maxima mostly are.
  private static float[] dynamicMap() {
    float[] out = new float[256];
    int n = 0;
    int exponentBits = 7;
    for (int i = 0; i < exponentBits; i++) {
      int items = (1 << i) + 1;
      double scale = Math.pow(10, -(exponentBits - 1) + i);
      for (int j = 0; j + 1 < items; j++) {
        double lo = 0.1 + 0.9 * j / (items - 1);
        double hi = 0.1 + 0.9 * (j + 1) / (items - 1);
        double mean = (lo + hi) / 2;
        out[n++] = (float) (scale * mean);
        out[n++] = (float) (-scale * mean);
      }
    }
    out[n++] = 0f;
    out[n++] = 1f;
    if (n != 256) {
      throw new AssertionError("dynamic map has " + n + " values");
    }
    Arrays.sort(out);
    return out;
  }

  /** Quantises {@code values} (row-major, of {@code shape}). */
  public static Nf4Tensor quantize(float[] values, long[] shape) {
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    if (count != values.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + count + " values, got " + values.length);
    }
    int n = values.length;
    int blocks = (n + BLOCK - 1) / BLOCK;
    float[] absmax = new float[blocks];
    byte[] packed = new byte[(n + 1) / 2];
    for (int b = 0; b < blocks; b++) {
      int from = b * BLOCK;
      int to = Math.min(n, from + BLOCK);
      float max = 0;
      for (int i = from; i < to; i++) {
        max = Math.max(max, Math.abs(values[i]));
      }
      absmax[b] = max;
      // Codes are chosen against the exact maximum, as bitsandbytes does; only the stored
      // maximum is approximate.
      for (int i = from; i < to; i++) {
        int code = nearest(LEVELS, max == 0 ? 0 : values[i] / max);
        packed[i / 2] |= (byte) (i % 2 == 0 ? code << 4 : code);
      }
    }
    double sum = 0;
    for (float a : absmax) {
      sum += a;
    }
    float offset = (float) (sum / blocks);
    int scaleBlocks = (blocks + SCALE_BLOCK - 1) / SCALE_BLOCK;
    byte[] scaleCodes = new byte[blocks];
    float[] scaleScales = new float[scaleBlocks];
    for (int s = 0; s < scaleBlocks; s++) {
      int from = s * SCALE_BLOCK;
      int to = Math.min(blocks, from + SCALE_BLOCK);
      float max = 0;
      for (int i = from; i < to; i++) {
        max = Math.max(max, Math.abs(absmax[i] - offset));
      }
      // All maxima equal to the mean: any scale decodes them exactly, so avoid dividing by 0.
      float scale = max == 0 ? 1f : max;
      scaleScales[s] = scale;
      for (int i = from; i < to; i++) {
        scaleCodes[i] = (byte) nearest(DYNAMIC_MAP, (absmax[i] - offset) / scale);
      }
    }
    return new Nf4Tensor(shape.clone(), packed, scaleCodes, scaleScales, offset);
  }

  // Index of the value of the ascending table closest to x (the lower one on a tie).
  static int nearest(float[] table, float x) {
    int i = Arrays.binarySearch(table, x);
    if (i >= 0) {
      return i;
    }
    int hi = -i - 1;
    if (hi == 0) {
      return 0;
    }
    if (hi == table.length) {
      return table.length - 1;
    }
    return x - table[hi - 1] <= table[hi] - x ? hi - 1 : hi;
  }
}
