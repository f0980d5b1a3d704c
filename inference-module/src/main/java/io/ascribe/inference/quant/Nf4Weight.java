package io.ascribe.inference.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.nio.ByteBuffer;

/**
 * An {@link Nf4Tensor} resident on the engine's device: the packed codes and scale codes as uint8
 * arrays and the scales of scales as float32, so the base costs ≈ 4.127 bits per weight in memory
 * too (the Java arrays it was made from are not kept; {@link #tensor} reads them back). {@link
 * #dequantize} rebuilds the float32 weight for one forward pass; the result belongs to the caller's
 * manager and is freed with the step.
 */
public final class Nf4Weight implements AutoCloseable {
  private final long[] shape;
  private final long blockCount;
  private final int scaleBlocks;
  private final float scaleOffset;
  private final long bits;
  private final NDManager manager;
  private final NDArray packed;
  private final NDArray scaleCodes;
  private final NDArray scaleScales;
  private final NDArray pairs;
  private final NDArray dynamicMap;

  private Nf4Weight(Nf4Tensor tensor, NDManager parent) {
    if (tensor.size() % Nf4.BLOCK != 0) {
      throw new IllegalArgumentException(
          "an on-device NF4 weight needs whole blocks of " + Nf4.BLOCK + ", got " + tensor.size());
    }
    this.shape = tensor.shape().clone();
    this.blockCount = tensor.scaleCodes().length;
    this.scaleBlocks = tensor.scaleScales().length;
    this.scaleOffset = tensor.scaleOffset();
    this.bits = tensor.bits();
    this.manager = parent.newSubManager();
    this.packed = owned(uint8(manager, tensor.packed()));
    this.scaleCodes = owned(uint8(manager, tensor.scaleCodes()));
    this.scaleScales = owned(manager.create(tensor.scaleScales()));
    this.pairs = owned(manager.create(BYTE_PAIRS, new Shape(256, 2)));
    this.dynamicMap = owned(manager.create(Nf4.DYNAMIC_MAP));
  }

  // Row b: the levels of byte b's two codes, high nibble first, so one lookup per byte gives both
  // of its weights.
  private static final float[] BYTE_PAIRS = bytePairs();

  private static float[] bytePairs() {
    float[] out = new float[512];
    for (int b = 0; b < 256; b++) {
      out[2 * b] = Nf4.LEVELS[b >> 4];
      out[2 * b + 1] = Nf4.LEVELS[b & 15];
    }
    return out;
  }

  /** Moves {@code tensor} onto {@code parent}'s device. */
  public static Nf4Weight of(Nf4Tensor tensor, NDManager parent) {
    return new Nf4Weight(tensor, parent);
  }

  // DJL wraps Java buffers without copying (torch.from_blob); only the wrapping NDArray keeps
  // the direct ByteBuffer reachable, and closing it lets the GC free the memory. A clone makes
  // libtorch own a copy. toType(sameType, true) would not do: DJL's PyTorch engine ignores the
  // copy flag (torch's to() returns an alias), and the "copy" went on reading freed memory.
  private static NDArray owned(NDArray wrapped) {
    NDArray copy = wrapped.duplicate();
    wrapped.close();
    return copy;
  }

  private static NDArray uint8(NDManager m, byte[] bytes) {
    ByteBuffer buf = m.allocateDirect(bytes.length);
    buf.put(bytes).flip();
    return m.create(buf, new Shape(bytes.length), DataType.UINT8);
  }

  /** The weight's NF4 form, copied back from the device (tests and reports read it). */
  public Nf4Tensor tensor() {
    return new Nf4Tensor(
        shape.clone(),
        packed.toByteArray(),
        scaleCodes.toByteArray(),
        scaleScales.toFloatArray(),
        scaleOffset);
  }

  public Shape shape() {
    return new Shape(shape);
  }

  /** Number of weights. */
  public long size() {
    return shape().size();
  }

  /** Storage in bits, as {@link Nf4Tensor#bits}. */
  public long bits() {
    return bits;
  }

  /**
   * The float32 weight, computed on the device into {@code m}. Its intermediates (the int32 byte
   * indices, half the weight's size) are freed before it returns rather than held until the step
   * ends.
   */
  public NDArray dequantize(NDManager m) {
    try (NDManager scratch = m.newSubManager()) {
      NDArray w = dequantizeInto(scratch);
      w.attach(m);
      return w;
    }
  }

  private NDArray dequantizeInto(NDManager m) {
    // Ops on a resident array would put their results in this weight's manager; convert into the
    // scratch manager first so every intermediate is freed before dequantize returns.
    // One int32 index per byte (a quarter of int64 codes per weight) looks up both its levels.
    NDArray bytes = packed.toType(DataType.INT32, false);
    bytes.attach(m);
    NDArray values = levelPairs(bytes).reshape(blockCount, Nf4.BLOCK);

    NDArray sc = scaleCodes.toType(DataType.INT64, true);
    sc.attach(m);
    NDArray centred = dynamicMap.take(m, sc);
    long padded = (long) scaleBlocks * Nf4.SCALE_BLOCK;
    if (padded > blockCount) {
      centred = centred.concat(m.zeros(new Shape(padded - blockCount)));
    }
    NDArray perBlock = scaleScales.reshape(scaleBlocks, 1);
    perBlock.attach(m);
    NDArray absmax =
        centred
            .reshape(scaleBlocks, Nf4.SCALE_BLOCK)
            .mul(perBlock)
            .reshape(-1)
            .get("0:{}", blockCount)
            .add(scaleOffset);
    // In place: the looked-up values are this call's own, and nothing tracks them.
    return values.muli(absmax.reshape(blockCount, 1)).reshape(shape());
  }

  /**
   * Rows {@code ids} (int64, any shape) of this 2-D weight in float32, of shape {@code ids}' shape
   * plus the row length: an embedding lookup that dequantises only the blocks it reads, for the
   * same floats as the matching rows of {@link #dequantize}. Needs rows of whole blocks (a row
   * length that is a multiple of {@value Nf4#BLOCK}), so every row starts a block.
   */
  public NDArray dequantizeRows(NDArray ids, NDManager m) {
    if (!rowsAreWholeBlocks(shape)) {
      throw new IllegalArgumentException(
          "gathering rows needs a 2-D weight with rows of whole "
              + Nf4.BLOCK
              + "-blocks, got shape "
              + java.util.Arrays.toString(shape));
    }
    long cols = shape[1];
    long blocksPerRow = cols / Nf4.BLOCK;
    NDArray rows = ids.reshape(-1, 1);
    // Flat indices of the gathered rows' packed bytes and block scale codes.
    NDArray bytes = rows.mul(cols / 2).add(m.arange(0, (int) (cols / 2), 1, DataType.INT64));
    NDArray blocks = rows.mul(blocksPerRow).add(m.arange(0, (int) blocksPerRow, 1, DataType.INT64));
    long n = rows.getShape().get(0);

    NDArray values =
        levelPairs(packed.take(m, bytes).toType(DataType.INT32, false))
            .reshape(n, blocksPerRow, Nf4.BLOCK);

    NDArray centred = dynamicMap.take(m, scaleCodes.take(m, blocks).toType(DataType.INT64, false));
    // The scale block of each block: an integer division, done in float64 where it is exact.
    NDArray scaleBlock =
        blocks
            .toType(DataType.FLOAT64, false)
            .div(Nf4.SCALE_BLOCK)
            .floor()
            .toType(DataType.INT64, false);
    NDArray absmax = centred.mul(scaleScales.take(m, scaleBlock)).add(scaleOffset);
    long[] out = java.util.Arrays.copyOf(ids.getShape().getShape(), ids.getShape().dimension() + 1);
    out[out.length - 1] = cols;
    return values.mul(absmax.reshape(n, blocksPerRow, 1)).reshape(new Shape(out));
  }

  // The two NF4 levels of each packed byte (int32 indices), high nibble first: (..., 2) in the
  // indices' manager.
  private NDArray levelPairs(NDArray bytes) {
    NDArray values = Embedding.embedding(bytes, pairs, SparseFormat.DENSE).singletonOrThrow();
    values.attach(bytes.getManager());
    return values;
  }

  /** Whether {@link #dequantizeRows} can gather rows of a weight of {@code shape}. */
  public static boolean rowsAreWholeBlocks(long[] shape) {
    return shape.length == 2 && shape[1] % Nf4.BLOCK == 0;
  }

  /** Bytes held on the device for the weight (codes, scale codes, scales, offset). */
  public long bytes() {
    return (bits + 7) / 8;
  }

  @Override
  public void close() {
    manager.close();
  }
}
