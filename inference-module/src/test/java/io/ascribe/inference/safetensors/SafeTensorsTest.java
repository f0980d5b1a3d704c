package io.ascribe.inference.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  @Test
  void roundTripsEveryKindOfTensorAndTheMetadata() throws IOException {
    Path file = dir.resolve("t.safetensors");
    float[] weights = {1.5f, -2.25f, 0f, 3.0e-3f, 65504f, -1e-8f};
    ByteBuffer f16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    f16.putShort(Float.floatToFloat16(0.5f)).putShort(Float.floatToFloat16(-3f));
    ByteBuffer bf16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    bf16.putShort((short) (Float.floatToIntBits(2f) >>> 16))
        .putShort((short) (Float.floatToIntBits(-0.15625f) >>> 16));
    ByteBuffer i64 = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    i64.putLong(-1).putLong(Long.MAX_VALUE).putLong(7);
    SafeTensorsWriter.write(
        file,
        Map.of("format", "pt"),
        List.of(
            SafeTensorsWriter.Tensor.f32("w", new long[] {2, 3}, weights),
            new SafeTensorsWriter.Tensor("half", DType.F16, new long[] {2}, f16.array()),
            new SafeTensorsWriter.Tensor("brain", DType.BF16, new long[] {2}, bf16.array()),
            new SafeTensorsWriter.Tensor("ids", DType.I64, new long[] {3}, i64.array()),
            new SafeTensorsWriter.Tensor("empty", DType.F32, new long[] {0, 4}, new byte[0]),
            SafeTensorsWriter.Tensor.f32("scalar", new long[] {}, new float[] {42f})));

    byte[] raw = Files.readAllBytes(file);
    long headerLen = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLen % 8).as("data section aligned").isZero();

    try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
      assertThat(f.metadata()).containsExactly(Map.entry("format", "pt"));
      assertThat(f.tensors()).extracting(TensorInfo::name).hasSize(6);
      assertThat(f.floats("w")).containsExactly(weights);
      assertThat(f.info("w").shape()).containsExactly(2, 3);
      assertThat(f.floats("half")).containsExactly(0.5f, -3f);
      assertThat(f.floats("brain")).containsExactly(2f, -0.15625f);
      assertThat(f.bytes("ids").array()).isEqualTo(i64.array());
      assertThat(f.info("ids").dtype()).isEqualTo(DType.I64);
      assertThat(f.floats("empty")).isEmpty();
      assertThat(f.info("scalar").shape()).isEmpty();
      assertThat(f.floats("scalar")).containsExactly(42f);
      assertThatThrownBy(() -> f.floats("ids")).hasMessageContaining("not a floating type");
      assertThatThrownBy(() -> f.info("nope")).hasMessageContaining("no tensor 'nope'");
    }
  }

  @Test
  void bytesReadOnceDecodeToTheSameFloatsAndOthersAreRefused() throws IOException {
    Path file = dir.resolve("once.safetensors");
    ByteBuffer f16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    f16.putShort(Float.floatToFloat16(0.5f)).putShort(Float.floatToFloat16(-3f));
    SafeTensorsWriter.write(
        file,
        Map.of(),
        List.of(
            SafeTensorsWriter.Tensor.f32("w", new long[] {3}, new float[] {1f, -2f, 4f}),
            new SafeTensorsWriter.Tensor("half", DType.F16, new long[] {2}, f16.array())));
    try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
      ByteBuffer w = f.bytes("w");
      // A caller may have consumed a duplicate (a checksum); the buffer itself is still whole.
      w.duplicate().get(new byte[12]);
      assertThat(f.floats("w", w)).containsExactly(f.floats("w"));
      assertThat(f.floats("half", f.bytes("half"))).containsExactly(0.5f, -3f);
      assertThatThrownBy(() -> f.floats("w", f.bytes("half")))
          .hasMessageContaining("tensor 'w' has 12 bytes, not 4");
    }
  }

  @Test
  void sameTensorsGiveTheSameBytes() throws IOException {
    List<SafeTensorsWriter.Tensor> ts =
        List.of(
            SafeTensorsWriter.Tensor.f32("b", new long[] {1}, new float[] {1}),
            SafeTensorsWriter.Tensor.f32("a", new long[] {1}, new float[] {2}));
    SafeTensorsWriter.write(dir.resolve("1"), Map.of(), ts);
    SafeTensorsWriter.write(dir.resolve("2"), Map.of(), ts.reversed());
    assertThat(Files.readAllBytes(dir.resolve("1")))
        .isEqualTo(Files.readAllBytes(dir.resolve("2")));
  }

  @Test
  void writerRefusesDataThatDoesNotMatchTheShape() {
    assertThatThrownBy(
            () -> new SafeTensorsWriter.Tensor("x", DType.F32, new long[] {3}, new byte[8]))
        .hasMessageContaining("do not match");
  }

  // A header and data written by hand, so every way a file can lie is reachable.
  private Path file(String header, int dataBytes) throws IOException {
    return file(header.getBytes(StandardCharsets.UTF_8), header.length(), dataBytes);
  }

  private Path file(byte[] header, long declaredLength, int dataBytes) throws IOException {
    Path f = Files.createTempFile(dir, "bad", ".safetensors");
    ByteBuffer b =
        ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(declaredLength).put(header);
    Files.write(f, b.array());
    return f;
  }

  private static String entry(String name, String dtype, String shape, long begin, long end) {
    return "\"%s\":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":[%d,%d]}"
        .formatted(name, dtype, shape, begin, end);
  }

  private static void rejects(Path f, String message) {
    assertThatThrownBy(() -> SafeTensorsFile.open(f).close())
        .isInstanceOf(SafeTensorsException.class)
        .hasMessageContaining(message);
  }

  @Test
  void acceptsAHandWrittenValidFile() throws IOException {
    Path f =
        file(
            "{\"__metadata__\":{\"k\":\"v\"},"
                + entry("a", "F32", "[2]", 0, 8)
                + ","
                + entry("b", "U8", "[3]", 8, 11)
                + "}   ",
            11);
    try (SafeTensorsFile s = SafeTensorsFile.open(f)) {
      assertThat(s.tensors()).extracting(TensorInfo::name).containsExactly("a", "b");
    }
  }

  @Test
  void rejectsAFileTooShortForTheLength() throws IOException {
    Path f = dir.resolve("short");
    Files.write(f, new byte[] {1, 2, 3});
    rejects(f, "too short");
  }

  @Test
  void rejectsAHeaderLengthPastTheEndOfTheFile() throws IOException {
    byte[] h = ("{" + entry("a", "F32", "[1]", 0, 4) + "}").getBytes(StandardCharsets.UTF_8);
    rejects(file(h, h.length + 100, 4), "does not fit");
    rejects(file(h, -1, 4), "does not fit");
    rejects(file(h, 0, 4), "does not fit");
  }

  @Test
  void rejectsAHeaderThatIsNotAJsonObject() throws IOException {
    rejects(file("[1,2,3]", 0), "does not start with '{'");
    rejects(file("{\"a\": ", 0), "not valid JSON");
    rejects(file("{\"a\":{}, \"a\":{}}", 0), "not valid JSON");
  }

  @Test
  void rejectsUnknownDtypesAndFields() throws IOException {
    rejects(file("{" + entry("a", "F31", "[1]", 0, 4) + "}", 4), "unknown dtype 'F31'");
    rejects(
        file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", 4),
        "unknown field 'extra'");
    rejects(file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "no dtype");
    rejects(file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "no shape");
    rejects(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "no data_offsets");
    rejects(file("{\"a\":[1]}", 4), "is not an object");
    rejects(file("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__.k is not a string");
  }

  @Test
  void rejectsShapesAndOffsetsThatAreNotNonNegativeIntegers() throws IOException {
    rejects(file("{" + entry("a", "F32", "[-1]", 0, 4) + "}", 4), "non-negative integer");
    rejects(file("{" + entry("a", "F32", "[1.5]", 0, 4) + "}", 4), "non-negative integer");
    rejects(file("{" + entry("a", "F32", "[1]", 4, 0) + "}", 4), "end before");
    rejects(
        file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4),
        "data_offsets array of 2");
  }

  @Test
  void rejectsAShapeThatDoesNotMatchItsByteRange() throws IOException {
    rejects(file("{" + entry("a", "F32", "[2,2]", 0, 12) + "}", 12), "needs 16 bytes");
    rejects(file("{" + entry("a", "BF16", "[3]", 0, 4) + "}", 4), "needs 6 bytes");
    rejects(file("{" + entry("a", "F64", "[4611686018427387904,4]", 0, 8) + "}", 8), "overflows");
  }

  @Test
  void rejectsOverlapsGapsTruncationAndTrailingBytes() throws IOException {
    rejects(
        file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[1]", 4, 8) + "}", 8),
        "overlap");
    rejects(
        file(
            "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", 12),
        "gap");
    rejects(file("{" + entry("a", "F32", "[1]", 4, 8) + "}", 8), "gap");
    rejects(file("{" + entry("a", "F32", "[4]", 0, 16) + "}", 10), "truncated file");
    rejects(file("{" + entry("a", "F32", "[1]", 0, 4) + "}", 9), "trailing bytes");
  }

  @Test
  void rejectsAFileCutShortAfterWriting() throws IOException {
    Path f = dir.resolve("ok.safetensors");
    SafeTensorsWriter.write(
        f, Map.of(), List.of(SafeTensorsWriter.Tensor.f32("w", new long[] {8}, new float[8])));
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length - 1));
    rejects(f, "truncated file");
    Files.write(f, java.util.Arrays.copyOf(all, 20));
    rejects(f, "does not fit");
  }
}
