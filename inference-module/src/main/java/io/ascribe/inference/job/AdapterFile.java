package io.ascribe.inference.job;

import ai.djl.ndarray.NDArray;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.ModelHash;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.safetensors.SafeTensorsException;
import io.ascribe.inference.safetensors.SafeTensorsFile;
import io.ascribe.inference.safetensors.SafeTensorsWriter;
import io.ascribe.inference.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A job's trained arrays as one {@code .safetensors} file: the {@link Trainable}'s arrays by their
 * names (LoRA's prefixed {@code base_model.model.} as PEFT names them; for full fine-tuning every
 * weight), float32, in name order, with metadata naming the method, the base model's SHA-256, for
 * QLoRA the form of its NF4 base ({@link ModelHash#NF4}), and a SHA-256 over the tensor data.
 * Nothing else is needed to load it: the adapter's configuration comes from the job spec, so the
 * bytes depend only on the trained values.
 */
final class AdapterFile {
  static final String METHOD = "ascribe.method";
  static final String BASE = "ascribe.base_model_sha256";
  static final String DATA = "ascribe.data_sha256";
  static final String QUANTIZATION = "ascribe." + ModelHash.QUANTIZATION_FIELD;
  private static final String PEFT_PREFIX = "base_model.model.";

  private AdapterFile() {}

  private static String fileName(TuningJobSpec.Method method, String name) {
    return method == TuningJobSpec.Method.LORA || method == TuningJobSpec.Method.QLORA_NF4
        ? PEFT_PREFIX + name
        : name;
  }

  static void write(TuningJobSpec spec, Trainable trained, LlamaModel base, Path file)
      throws IOException {
    List<SafeTensorsWriter.Tensor> tensors = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : trained.namedParameters().entrySet()) {
      tensors.add(
          SafeTensorsWriter.Tensor.f32(
              fileName(spec.method(), e.getKey()),
              e.getValue().getShape().getShape(),
              e.getValue().toFloatArray()));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put(METHOD, spec.method().name());
    if (base.sha256() != null) {
      meta.put(BASE, base.sha256());
    }
    if (spec.method() == TuningJobSpec.Method.QLORA_NF4) {
      meta.put(QUANTIZATION, ModelHash.NF4);
    }
    TreeMap<String, byte[]> data = new TreeMap<>();
    tensors.forEach(t -> data.put(t.name(), t.data()));
    meta.put(DATA, digest(data.values()));
    SafeTensorsWriter.write(file, meta, tensors);
  }

  /**
   * Applies the spec's method to {@code base} (a fresh adapter of the spec's shape, or the base's
   * own weights for full fine-tuning) and overwrites its arrays with the file's.
   *
   * @throws ModelException when the file is not a readable safetensors file, its data does not
   *     match its checksum (truncated or corrupt), it was made by another method or for another
   *     base, or its tensors are not exactly the ones the spec implies
   */
  static Trainable load(AdapterShape spec, Path file, LlamaModel base) throws IOException {
    SafeTensorsFile st;
    try {
      st = SafeTensorsFile.open(file);
    } catch (SafeTensorsException e) {
      throw new ModelException(
          "adapter file "
              + file
              + " is truncated or corrupt ("
              + e.getMessage()
              + "); fetch it again",
          e);
    }
    try (st) {
      Map<String, String> meta = st.metadata();
      String method = meta.get(METHOD);
      if (!spec.method().name().equals(method)) {
        throw new ModelException(
            "adapter file "
                + file
                + " was made by method "
                + method
                + ", the job is "
                + spec.method());
      }
      String form = meta.get(QUANTIZATION);
      if (spec.method() == TuningJobSpec.Method.QLORA_NF4 && !ModelHash.NF4.equals(form)) {
        // Files from before every matrix was NF4 carry no form: their adapter saw other
        // embeddings and another head than this program's QLoRA base.
        throw new ModelException(
            "adapter file "
                + file
                + " was trained on "
                + (form == null
                    ? "the older QLoRA base (NF4 projections only)"
                    : "base form " + form)
                + ", not this program's QLoRA base ("
                + ModelHash.NF4
                + "); run the job again to retrain it");
      }
      String baseHash = meta.get(BASE);
      if (base.sha256() != null && baseHash != null && !baseHash.equals(base.sha256())) {
        throw new ModelException(
            "adapter file "
                + file
                + " was trained on another base model (sha256 "
                + baseHash
                + "), not "
                + base.source()
                + " (sha256 "
                + base.sha256()
                + ")");
      }
      // Each tensor is read once: its bytes are checked against the checksum, then decoded. All
      // are checked before any is applied, since for full fine-tuning the arrays are the base's.
      TreeMap<String, ByteBuffer> data = new TreeMap<>();
      for (TensorInfo info : st.tensors()) {
        data.put(info.name(), st.bytes(info.name()));
      }
      MessageDigest sha = sha256();
      data.values().forEach(bytes -> sha.update(bytes.duplicate()));
      TreeSet<String> names = new TreeSet<>(data.keySet());
      if (!HexFormat.of().formatHex(sha.digest()).equals(meta.get(DATA))) {
        throw new ModelException(
            "adapter file "
                + file
                + " is corrupt: its tensor data does not match its checksum; fetch it again");
      }
      Trainable t = spec.tuningMethod().applyTo(base);
      try {
        Map<String, NDArray> params = t.namedParameters();
        TreeSet<String> expected = new TreeSet<>();
        params.keySet().forEach(k -> expected.add(fileName(spec.method(), k)));
        if (!expected.equals(names)) {
          TreeSet<String> missing = new TreeSet<>(expected);
          missing.removeAll(names);
          TreeSet<String> extra = new TreeSet<>(names);
          extra.removeAll(expected);
          throw new ModelException(
              "adapter file "
                  + file
                  + " does not hold the tensors "
                  + spec.method()
                  + " rank "
                  + spec.rank()
                  + " implies for this base: missing "
                  + head(missing)
                  + ", unexpected "
                  + head(extra));
        }
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
          String name = fileName(spec.method(), e.getKey());
          long[] shape = e.getValue().getShape().getShape();
          TensorInfo info = st.info(name);
          if (!Arrays.equals(info.shape(), shape)) {
            throw new ModelException(
                "adapter file "
                    + file
                    + ": "
                    + name
                    + " has shape "
                    + Arrays.toString(info.shape())
                    + " but the spec and base need "
                    + Arrays.toString(shape));
          }
          // Dropped once decoded, so the file's bytes and its floats are not all held at once.
          float[] values = st.floats(name, data.remove(name));
          for (float v : values) {
            if (!Float.isFinite(v)) {
              throw new ModelException("adapter file " + file + ": " + name + " holds " + v);
            }
          }
          e.getValue().set(values);
        }
        return t;
      } catch (IOException | RuntimeException e) {
        t.close();
        throw e;
      }
    }
  }

  private static String head(TreeSet<String> names) {
    List<String> first = new ArrayList<>(names).subList(0, Math.min(3, names.size()));
    return names.size() > 3 ? first + " and " + (names.size() - 3) + " more" : first.toString();
  }

  private static String digest(Iterable<byte[]> parts) {
    MessageDigest sha = sha256();
    for (byte[] p : parts) {
      sha.update(p);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
