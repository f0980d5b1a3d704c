package io.ascribe.inference.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code .safetensors} file opened for reading: an 8-byte little-endian header length, a JSON
 * header mapping each tensor name to its dtype, shape and byte range, then the data section. The
 * header is checked strictly when the file is opened (see {@link SafeTensorsException}); tensor
 * bytes are read on demand, so opening a multi-gigabyte checkpoint costs only its header.
 */
public final class SafeTensorsFile implements AutoCloseable {
  /** The reference implementation's cap; a larger header is a corrupt or hostile file. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  static final String METADATA_KEY = "__metadata__";
  private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");
  static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafeTensorsFile(
      Path path,
      FileChannel channel,
      long dataStart,
      Map<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Opens {@code path} and validates its header.
   *
   * @throws SafeTensorsException when the file breaks the format
   */
  public static SafeTensorsFile open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long fileSize = channel.size();
      if (fileSize < 8) {
        throw new SafeTensorsException(
            path + ": " + fileSize + " bytes, too short for the 8-byte header length");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lenBuf, 0);
      long headerLen = lenBuf.getLong(0);
      if (headerLen <= 0 || headerLen > fileSize - 8 || headerLen > MAX_HEADER_BYTES) {
        throw new SafeTensorsException(
            path
                + ": header length "
                + Long.toUnsignedString(headerLen)
                + " does not fit in the file ("
                + fileSize
                + " bytes)");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(channel, header, 8);
      long dataSize = fileSize - 8 - headerLen;
      Parsed parsed = parseHeader(path.toString(), header.array(), dataSize);
      return new SafeTensorsFile(path, channel, 8 + headerLen, parsed.tensors, parsed.metadata);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private record Parsed(Map<String, TensorInfo> tensors, Map<String, String> metadata) {}

  /** Validates a header against a data section of {@code dataSize} bytes. */
  private static Parsed parseHeader(String where, byte[] header, long dataSize)
      throws SafeTensorsException {
    if (header[0] != '{') {
      throw new SafeTensorsException(where + ": header does not start with '{'");
    }
    JsonNode root;
    try {
      root = JSON.readTree(header);
    } catch (JsonProcessingException e) {
      throw new SafeTensorsException(where + ": header is not valid JSON: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new SafeTensorsException(where + ": header is unreadable: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new SafeTensorsException(where + ": header is not a JSON object");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorInfo> infos = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String name = e.getKey();
      JsonNode node = e.getValue();
      if (name.equals(METADATA_KEY)) {
        if (!node.isObject()) {
          throw new SafeTensorsException(where + ": __metadata__ is not an object");
        }
        for (Map.Entry<String, JsonNode> kv : node.properties()) {
          if (!kv.getValue().isTextual()) {
            throw new SafeTensorsException(
                where + ": __metadata__." + kv.getKey() + " is not a string");
          }
          metadata.put(kv.getKey(), kv.getValue().textValue());
        }
        continue;
      }
      infos.add(parseEntry(where + ": tensor '" + name + "'", name, node));
    }
    // The format requires the ranges, in offset order, to tile the data section exactly: no
    // gaps (hidden bytes), no overlaps (aliasing), nothing past the end.
    infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long expected = 0;
    for (TensorInfo t : infos) {
      if (t.begin() != expected) {
        throw new SafeTensorsException(
            where
                + ": tensor '"
                + t.name()
                + "' starts at "
                + t.begin()
                + " but the previous range ends at "
                + expected
                + (t.begin() < expected ? " (overlap)" : " (gap)"));
      }
      expected = t.end();
    }
    if (expected != dataSize) {
      throw new SafeTensorsException(
          where
              + ": tensors cover "
              + expected
              + " bytes but the data section holds "
              + dataSize
              + (expected > dataSize ? " (truncated file)" : " (trailing bytes)"));
    }
    Map<String, TensorInfo> byName = new LinkedHashMap<>();
    for (TensorInfo t : infos) {
      byName.put(t.name(), t);
    }
    return new Parsed(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(metadata));
  }

  private static TensorInfo parseEntry(String where, String name, JsonNode node)
      throws SafeTensorsException {
    if (!node.isObject()) {
      throw new SafeTensorsException(where + " is not an object");
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String key = field.getKey();
      if (!ENTRY_KEYS.contains(key)) {
        throw new SafeTensorsException(where + " has an unknown field '" + key + "'");
      }
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new SafeTensorsException(where + " has no dtype string");
    }
    DType dtype =
        DType.byName(dtypeNode.textValue())
            .orElseThrow(
                () ->
                    new SafeTensorsException(
                        where + " has an unknown dtype '" + dtypeNode.textValue() + "'"));
    long[] shape = longs(where, "shape", node.get("shape"), -1);
    long[] offsets = longs(where, "data_offsets", node.get("data_offsets"), 2);
    if (offsets[0] > offsets[1]) {
      throw new SafeTensorsException(
          where + " has data_offsets [" + offsets[0] + ", " + offsets[1] + "] that end before");
    }
    TensorInfo info = new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    long bytes;
    try {
      bytes = info.byteSize();
    } catch (ArithmeticException e) {
      throw new SafeTensorsException(where + " has a shape whose size overflows", e);
    }
    if (bytes != offsets[1] - offsets[0]) {
      throw new SafeTensorsException(
          where
              + ": shape "
              + java.util.Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + bytes
              + " bytes but data_offsets give "
              + (offsets[1] - offsets[0]));
    }
    return info;
  }

  private static long[] longs(String where, String field, JsonNode node, int length)
      throws SafeTensorsException {
    if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
      throw new SafeTensorsException(
          where
              + " has no "
              + field
              + (length >= 0 ? " array of " + length + " integers" : " array"));
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw new SafeTensorsException(
            where + " has a " + field + " entry that is not a non-negative integer: " + v);
      }
      out[i] = v.longValue();
    }
    return out;
  }

  private static void readFully(FileChannel channel, ByteBuffer buf, long position)
      throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, pos);
      if (n < 0) {
        throw new SafeTensorsException("unexpected end of file at " + pos);
      }
      pos += n;
    }
    buf.flip();
  }

  public Path path() {
    return path;
  }

  /** The tensors in the order of their byte ranges. */
  public List<TensorInfo> tensors() {
    return List.copyOf(tensors.values());
  }

  /** The header's {@code __metadata__} (empty when it has none). */
  public Map<String, String> metadata() {
    return metadata;
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /**
   * @throws SafeTensorsException when the file holds no tensor named {@code name}
   */
  public TensorInfo info(String name) throws SafeTensorsException {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new SafeTensorsException(path + ": no tensor '" + name + "'");
    }
    return t;
  }

  /** The tensor's raw bytes, little-endian as stored. */
  public ByteBuffer bytes(String name) throws IOException {
    TensorInfo t = info(name);
    long size = t.end() - t.begin();
    if (size > Integer.MAX_VALUE - 8) {
      throw new SafeTensorsException(path + ": tensor '" + name + "' is over 2 GiB");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, buf, dataStart + t.begin());
    return buf.order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The tensor's elements widened or narrowed to 32-bit floats, for the floating dtypes a model is
   * stored in (F32, F16, BF16, F64).
   *
   * @throws SafeTensorsException for any other dtype
   */
  public float[] floats(String name) throws IOException {
    return floats(name, bytes(name));
  }

  /**
   * {@link #floats(String)} of bytes already read by {@link #bytes}, for a caller that needs the
   * raw bytes too (a checksum) and reads the file once.
   *
   * @throws SafeTensorsException for a dtype that is not floating, or bytes of another size
   */
  public float[] floats(String name, ByteBuffer bytes) throws SafeTensorsException {
    TensorInfo t = info(name);
    if (bytes.remaining() != t.end() - t.begin()) {
      throw new SafeTensorsException(
          path
              + ": tensor '"
              + name
              + "' has "
              + (t.end() - t.begin())
              + " bytes, not "
              + bytes.remaining());
    }
    ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[Math.toIntExact(t.elementCount())];
    switch (t.dtype()) {
      case F32 -> b.asFloatBuffer().get(out);
      case F16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.float16ToFloat(b.getShort(2 * i));
        }
      }
      // bfloat16 is the upper half of a float32.
      case BF16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
        }
      }
      case F64 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) b.getDouble(8 * i);
        }
      }
      default ->
          throw new SafeTensorsException(
              path + ": tensor '" + name + "' is " + t.dtype() + ", not a floating type");
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
