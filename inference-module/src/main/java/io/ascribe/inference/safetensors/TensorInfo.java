package io.ascribe.inference.safetensors;

import java.util.Arrays;
import java.util.List;

/**
 * One tensor's entry in a {@code .safetensors} header: its name, element type, shape and the byte
 * range {@code [begin, end)} it occupies in the data section (offsets relative to the section's
 * start, as the format defines them).
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
  public TensorInfo {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements: the product of the shape (1 for a scalar). */
  public long elementCount() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Bytes the shape and dtype require. */
  public long byteSize() {
    return Math.multiplyExact(elementCount(), dtype.size());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && name.equals(t.name)
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && begin == t.begin
        && end == t.end;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name
        + " "
        + dtype
        + " "
        + List.of(Arrays.stream(shape).boxed().toArray())
        + " @"
        + begin;
  }
}
