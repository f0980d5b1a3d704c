package io.ascribe.inference.quant;

/**
 * A tensor in {@link Int8} form: its shape, one signed byte a weight and one float32 scale per
 * block of {@value Int8#BLOCK}, in row-major order. The arrays are owned by the record and never
 * modified after quantisation.
 */
public record Int8Tensor(long[] shape, byte[] codes, float[] scales) {
  public long size() {
    return codes.length;
  }

  /** Bits of storage: 8 per code and 32 per block scale. */
  public long bits() {
    return 8L * codes.length + 32L * scales.length;
  }

  /** Bytes of storage: one per weight plus four per block. */
  public long bytes() {
    return codes.length + 4L * scales.length;
  }

  public double bitsPerParameter() {
    return (double) bits() / size();
  }

  /** The float32 weights {@code code · scale}, as the device computes them. */
  public float[] dequantize() {
    float[] out = new float[codes.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = codes[i] * scales[i / Int8.BLOCK];
    }
    return out;
  }
}
