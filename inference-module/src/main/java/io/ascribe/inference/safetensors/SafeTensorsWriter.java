package io.ascribe.inference.safetensors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes {@code .safetensors} files. Tensors are laid out in name order and the header is padded
 * with spaces to a multiple of 8 bytes (as the reference writer does, so the data section stays
 * aligned), so the same tensors always give the same bytes. The file is written beside its
 * destination and moved into place, so a crash never leaves a half-written checkpoint.
 */
public final class SafeTensorsWriter {
  private SafeTensorsWriter() {}

  /** One tensor to write: its little-endian bytes must match the shape and dtype. */
  public record Tensor(String name, DType dtype, long[] shape, byte[] data) {
    public Tensor {
      shape = shape.clone();
      if (name.equals(SafeTensorsFile.METADATA_KEY) || name.isEmpty()) {
        throw new IllegalArgumentException("tensor name '" + name + "' is reserved or empty");
      }
      long n = 1;
      for (long d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException(name + ": negative dimension " + d);
        }
        n = Math.multiplyExact(n, d);
      }
      if (Math.multiplyExact(n, dtype.size()) != data.length) {
        throw new IllegalArgumentException(
            name + ": " + data.length + " bytes do not match the shape and " + dtype);
      }
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    /** An F32 tensor from Java floats. */
    public static Tensor f32(String name, long[] shape, float[] values) {
      ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(values);
      return new Tensor(name, DType.F32, shape, b.array());
    }
  }

  /** Writes {@code tensors} with {@code metadata} to {@code path}, replacing it. */
  public static void write(Path path, Map<String, String> metadata, List<Tensor> tensors)
      throws IOException {
    List<Tensor> sorted = new ArrayList<>(tensors);
    sorted.sort(Comparator.comparing(Tensor::name));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
        throw new IllegalArgumentException("duplicate tensor '" + sorted.get(i).name() + "'");
      }
    }
    ObjectNode header = SafeTensorsFile.JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject(SafeTensorsFile.METADATA_KEY);
      new TreeMap<>(metadata).forEach(meta::put);
    }
    long offset = 0;
    for (Tensor t : sorted) {
      ObjectNode entry = header.putObject(t.name());
      entry.put("dtype", t.dtype().name());
      ArrayNode shape = entry.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      ArrayNode offsets = entry.putArray("data_offsets");
      offsets.add(offset);
      offset += t.data().length;
      offsets.add(offset);
    }
    byte[] json = SafeTensorsFile.JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = new byte[padded];
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    for (int i = json.length; i < padded; i++) {
      headerBytes[i] = ' ';
    }
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(headerBytes);
        for (Tensor t : sorted) {
          out.write(t.data());
        }
      }
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
