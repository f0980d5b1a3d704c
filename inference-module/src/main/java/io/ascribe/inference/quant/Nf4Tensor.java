package io.ascribe.inference.quant;

/**
 * One weight tensor in NF4 with double-quantised block scales, as {@link Nf4#quantize} produces it:
 * {@code packed} holds two 4-bit level indices per byte (the even element in the high nibble),
 * {@code scaleCodes} one unsigned 8-bit dynamic-map code per block of 64, {@code scaleScales} one
 * float32 per 256 blocks and {@code scaleOffset} the mean block maximum added back. The arrays are
 * owned by the record and never modified after quantisation.
 */
public record Nf4Tensor(
    long[] shape, byte[] packed, byte[] scaleCodes, float[] scaleScales, float scaleOffset) {

  /** Number of weights. */
  public long size() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** The block maximum of block {@code b} as the double quantisation restores it. */
  public float blockScale(int b) {
    return Nf4.DYNAMIC_MAP[scaleCodes[b] & 0xff] * scaleScales[b / Nf4.SCALE_BLOCK] + scaleOffset;
  }

  /** Storage in bits: codes, scale codes, scales of scales and the offset. */
  public long bits() {
    return 8L * packed.length + 8L * scaleCodes.length + 32L * scaleScales.length + 32;
  }

  /** Storage in bytes, rounded up. */
  public long bytes() {
    return (bits() + 7) / 8;
  }

  /** {@link #bits()} over the number of weights (≈ 4.127 for large tensors). */
  public double bitsPerParameter() {
    return (double) bits() / size();
  }

  /** The weights as the forward pass sees them: level × restored block maximum. */
  public float[] dequantize() {
    int n = Math.toIntExact(size());
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      int code = i % 2 == 0 ? (packed[i / 2] >> 4) & 0xf : packed[i / 2] & 0xf;
      out[i] = Nf4.LEVELS[code] * blockScale(i / Nf4.BLOCK);
    }
    return out;
  }
}
