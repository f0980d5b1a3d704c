package io.ascribe.inference.safetensors;

import java.util.Optional;

/**
 * The element types a {@code .safetensors} header may name, with their size in bytes. The names are
 * the format's own ({@code "F32"}, {@code "BF16"}, ...); the 8-bit float formats are listed so that
 * a checkpoint holding them is read (and rejected by a loader that cannot use them) rather than
 * refused as corrupt.
 */
public enum DType {
  BOOL(1),
  U8(1),
  I8(1),
  F8_E4M3(1),
  F8_E5M2(1),
  I16(2),
  U16(2),
  F16(2),
  BF16(2),
  I32(4),
  U32(4),
  F32(4),
  I64(8),
  U64(8),
  F64(8);

  private final int size;

  DType(int size) {
    this.size = size;
  }

  /** Bytes per element. */
  public int size() {
    return size;
  }

  /** The type the header names {@code name}, or empty for a name the format does not define. */
  public static Optional<DType> byName(String name) {
    for (DType t : values()) {
      if (t.name().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
