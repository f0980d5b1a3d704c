package io.ascribe.inference.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;

/**
 * An {@link Int8Tensor} resident on the engine's device: the codes as an int8 array and the block
 * scales as float32, {@value Int8#BITS_PER_PARAMETER} bits a weight in memory too. {@link
 * #dequantize} rebuilds the float32 weight for one matrix product; the result belongs to the
 * caller's manager and is freed with the step.
 */
public final class Int8Weight implements AutoCloseable {
  private final long[] shape;
  private final long bits;
  private final NDManager manager;
  private final NDArray codes;
  private final NDArray scales;

  private Int8Weight(Int8Tensor tensor, NDManager parent) {
    if (tensor.size() % Int8.BLOCK != 0) {
      throw new IllegalArgumentException(
          "an on-device int8 weight needs whole blocks of "
              + Int8.BLOCK
              + ", got "
              + tensor.size());
    }
    this.shape = tensor.shape().clone();
    this.bits = tensor.bits();
    this.manager = parent.newSubManager();
    ByteBuffer buf = manager.allocateDirect(tensor.codes().length);
    buf.put(tensor.codes()).flip();
    // DJL wraps the direct buffer without copying; a duplicate makes libtorch own the bytes (see
    // Nf4Weight.owned).
    NDArray wrapped = manager.create(buf, new Shape(tensor.codes().length), DataType.INT8);
    this.codes = wrapped.duplicate();
    wrapped.close();
    this.scales = manager.create(tensor.scales()).reshape(tensor.scales().length, 1);
  }

  /** Moves {@code tensor} onto {@code parent}'s device. */
  public static Int8Weight of(Int8Tensor tensor, NDManager parent) {
    return new Int8Weight(tensor, parent);
  }

  /** The weight's int8 form, copied back from the device (the Java arrays are not kept). */
  public Int8Tensor tensor() {
    return new Int8Tensor(shape.clone(), codes.toByteArray(), scales.toFloatArray());
  }

  public Shape shape() {
    return new Shape(shape);
  }

  /** The float32 weight {@code code · scale}, computed on the device into {@code m}. */
  public NDArray dequantize(NDManager m) {
    // Converted into the step's manager first, so every intermediate is freed with the step.
    NDArray c = codes.toType(DataType.FLOAT32, true);
    c.attach(m);
    NDArray s = scales.duplicate();
    s.attach(m);
    return c.reshape(scales.getShape().get(0), Int8.BLOCK).mul(s).reshape(shape());
  }

  /** Bytes held on the device for the weight (codes and scales). */
  public long bytes() {
    return (bits + 7) / 8;
  }

  @Override
  public void close() {
    manager.close();
  }
}
