package io.ascribe.inference.quant;

/**
 * Int8 absmax quantisation by blocks of {@value #BLOCK} (as bitsandbytes' blockwise 8-bit, without
 * its dynamic code): each block keeps one float32 scale, its largest magnitude over 127, and each
 * weight the signed byte {@code round(w / scale)} in {@code [-127, 127]}, so a weight comes back as
 * {@code code · scale} within half a step ({@code absmax / 254}) of where it was. That costs
 * exactly {@value #BITS_PER_PARAMETER} bits a weight: 8 for the code and 32 / 64 for the block's
 * scale. QLoRA holds an untied LM head this way, where NF4's coarser levels cost too much accuracy.
 */
public final class Int8 {
  public static final int BLOCK = 64;

  /** Bits a weight costs: an 8-bit code and a 64th of a float32 scale. */
  public static final double BITS_PER_PARAMETER = 8 + 32.0 / BLOCK;

  private Int8() {}

  /**
   * Quantises {@code values}, a tensor of {@code shape} in row-major order; the last block may be
   * short.
   */
  public static Int8Tensor quantize(float[] values, long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != values.length) {
      throw new IllegalArgumentException(
          "shape "
              + java.util.Arrays.toString(shape)
              + " holds "
              + n
              + " values, got "
              + values.length);
    }
    int blocks = (values.length + BLOCK - 1) / BLOCK;
    byte[] codes = new byte[values.length];
    float[] scales = new float[blocks];
    for (int b = 0; b < blocks; b++) {
      int from = b * BLOCK;
      int to = Math.min(values.length, from + BLOCK);
      float max = 0;
      for (int i = from; i < to; i++) {
        max = Math.max(max, Math.abs(values[i]));
      }
      float scale = max / 127f;
      scales[b] = scale;
      if (scale == 0) {
        continue; // an all-zero block: codes stay 0
      }
      for (int i = from; i < to; i++) {
        int q = Math.round(values[i] / scale);
        codes[i] = (byte) Math.max(-127, Math.min(127, q));
      }
    }
    return new Int8Tensor(shape.clone(), codes, scales);
  }
}
