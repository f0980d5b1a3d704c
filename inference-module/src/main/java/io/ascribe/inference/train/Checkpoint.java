package io.ascribe.inference.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.safetensors.SafeTensorsFile;
import io.ascribe.inference.safetensors.SafeTensorsWriter;
import io.ascribe.inference.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A training run's state on disk: {@code trainable.safetensors} (the trained arrays by name),
 * {@code optimizer.safetensors} (AdamW's moments) and {@code trainer_state.json} (step, the
 * batch-order generator's state and the examples left in the current epoch, the losses so far, and
 * the config the run was started with). Each file is replaced atomically and both tensor files
 * carry the step in their metadata, so a crash between writes is caught on load instead of mixing
 * two steps.
 */
record Checkpoint(
    int step,
    long rngState,
    List<Integer> pool,
    List<Double> losses,
    int optimizerSteps,
    double lossScale,
    int goodSteps) {
  static final String TRAINABLE = "trainable.safetensors";
  static final String OPTIMIZER = "optimizer.safetensors";
  static final String STATE = "trainer_state.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  static boolean exists(Path dir) {
    return Files.exists(dir.resolve(STATE));
  }

  /** The step the checkpoint in {@code dir} was written at. */
  static int step(Path dir) throws IOException {
    return JSON.readTree(dir.resolve(STATE).toFile()).path("step").asInt(0);
  }

  void save(Path dir, Map<String, NDArray> params, AdamW opt, TrainConfig config, int examples)
      throws IOException {
    Files.createDirectories(dir);
    Map<String, String> meta = Map.of("step", Integer.toString(step));
    List<SafeTensorsWriter.Tensor> weights = new ArrayList<>();
    List<SafeTensorsWriter.Tensor> moments = new ArrayList<>();
    NDArray[][] mv = opt.moments();
    int i = 0;
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      long[] shape = e.getValue().getShape().getShape();
      weights.add(SafeTensorsWriter.Tensor.f32(e.getKey(), shape, e.getValue().toFloatArray()));
      moments.add(
          SafeTensorsWriter.Tensor.f32("exp_avg." + e.getKey(), shape, mv[0][i].toFloatArray()));
      moments.add(
          SafeTensorsWriter.Tensor.f32("exp_avg_sq." + e.getKey(), shape, mv[1][i].toFloatArray()));
      i++;
    }
    SafeTensorsWriter.write(dir.resolve(TRAINABLE), meta, weights);
    SafeTensorsWriter.write(dir.resolve(OPTIMIZER), meta, moments);
    ObjectNode o = JSON.createObjectNode();
    o.put("step", step);
    o.put("rng_state", rngState);
    pool.forEach(o.putArray("pool")::add);
    losses.forEach(o.putArray("losses")::add);
    o.put("examples", examples);
    o.put("config", config.toString());
    // Updates AdamW applied (loss scaling skips overflowed steps) and the loss scaler's state.
    o.put("optimizer_steps", optimizerSteps);
    o.put("loss_scale", lossScale);
    o.put("good_steps", goodSteps);
    Path tmp = dir.resolve(STATE + ".tmp");
    Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
    Files.move(tmp, dir.resolve(STATE), StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads the checkpoint in {@code dir}, writing the trained arrays into {@code params} and the
   * moments into {@code opt}.
   *
   * @throws ModelException when it belongs to another run (config, data, parameters) or its files
   *     are from different steps
   */
  static Checkpoint load(
      Path dir, Map<String, NDArray> params, AdamW opt, TrainConfig config, int examples)
      throws IOException {
    JsonNode o = JSON.readTree(dir.resolve(STATE).toFile());
    int step = o.path("step").asInt(-1);
    if (!config.toString().equals(o.path("config").asText())) {
      throw new ModelException(
          dir + ": checkpoint of another run: " + o.path("config").asText() + ", not " + config);
    }
    if (o.path("examples").asInt(-1) != examples) {
      throw new ModelException(
          dir
              + ": checkpoint trained on "
              + o.path("examples").asInt()
              + " examples, not "
              + examples);
    }
    List<Integer> pool = new ArrayList<>();
    o.path("pool").forEach(n -> pool.add(n.asInt()));
    List<Double> losses = new ArrayList<>();
    o.path("losses").forEach(n -> losses.add(n.asDouble()));
    List<float[]> first = new ArrayList<>();
    List<float[]> second = new ArrayList<>();
    try (SafeTensorsFile w = open(dir.resolve(TRAINABLE), step);
        SafeTensorsFile m = open(dir.resolve(OPTIMIZER), step)) {
      if (w.tensors().size() != params.size() || m.tensors().size() != 2 * params.size()) {
        throw new ModelException(dir + ": checkpoint holds other parameters than this run trains");
      }
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        long[] shape = e.getValue().getShape().getShape();
        e.getValue().set(read(w, e.getKey(), shape));
        first.add(read(m, "exp_avg." + e.getKey(), shape));
        second.add(read(m, "exp_avg_sq." + e.getKey(), shape));
      }
    }
    int optimizerSteps = o.path("optimizer_steps").asInt(step);
    opt.restore(optimizerSteps, first, second);
    return new Checkpoint(
        step,
        o.path("rng_state").asLong(),
        pool,
        losses,
        optimizerSteps,
        o.path("loss_scale").asDouble(1),
        o.path("good_steps").asInt(0));
  }

  private static SafeTensorsFile open(Path file, int step) throws IOException {
    SafeTensorsFile f = SafeTensorsFile.open(file);
    String written = f.metadata().get("step");
    if (!Integer.toString(step).equals(written)) {
      f.close();
      throw new ModelException(file + ": written at step " + written + ", the state is at " + step);
    }
    return f;
  }

  private static float[] read(SafeTensorsFile f, String name, long[] shape) throws IOException {
    if (!f.contains(name)) {
      throw new ModelException(f.path() + ": missing " + name);
    }
    TensorInfo info = f.info(name);
    if (!Arrays.equals(info.shape(), shape)) {
      throw new ModelException(
          f.path()
              + ": "
              + name
              + " has shape "
              + Arrays.toString(info.shape())
              + ", the run trains "
              + Arrays.toString(shape));
    }
    return f.floats(name);
  }
}
