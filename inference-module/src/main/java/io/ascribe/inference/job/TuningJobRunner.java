package io.ascribe.inference.job;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.util.cuda.CudaUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.ModelHash;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tokenizer.Tokenizer;
import io.ascribe.inference.tokenizer.Tokenizers;
import io.ascribe.inference.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link TuningJobSpec} to its {@link TuningJobResult}, knowing nothing of the chain: it
 * checks the job fits in memory ({@link #estimate}), trains the spec's method with its seed,
 * checkpointing into {@code workDir/checkpoint} every {@value #CHECKPOINT_EVERY} steps (and when
 * asked to stop), writes the trained arrays as one file {@code workDir/adapter.safetensors},
 * evaluates on the spec's evaluation documents ({@link JobEvaluation}) and scores every training
 * document's influence on the evaluation loss ({@link Influence}). On CPU the same spec gives the
 * same adapter bytes and figures, and a run resumed from the checkpoint of the same spec (the
 * checkpoint records {@link TuningJobSpec#fingerprint} and the base's hash) gives the same bytes as
 * one that was never interrupted. One runner runs one job at a time.
 */
public final class TuningJobRunner {
  /** Optimiser steps between checkpoints. */
  public static final int CHECKPOINT_EVERY = 25;

  public static final String ADAPTER_FILE = "adapter.safetensors";
  public static final String CHECKPOINT_DIR = "checkpoint";
  static final String JOB_FILE = "job.json";

  public static final String PHASE_TRAINING = "training";
  public static final String PHASE_EVALUATING = "evaluating";
  public static final String PHASE_ATTRIBUTING = "attributing";

  /** Progress of a job: after each optimiser step, and when it enters a phase. */
  public interface Listener {
    void onStep(int step, int totalSteps, double loss, double tokensPerSecond);

    /** {@link #PHASE_TRAINING}, {@link #PHASE_EVALUATING} or {@link #PHASE_ATTRIBUTING}. */
    void onPhase(String phase);

    /** Training goes on from the checkpoint of an earlier run, written at {@code step}. */
    default void onResume(int step, int totalSteps) {}
  }

  private static final Listener SILENT =
      new Listener() {
        @Override
        public void onStep(int step, int totalSteps, double loss, double tokensPerSecond) {}

        @Override
        public void onPhase(String phase) {}
      };

  private static final ObjectMapper JSON = new ObjectMapper();
  private volatile boolean stopRequested;
  private volatile Trainer trainer;

  /** What {@code spec} needs in memory; see {@link MemoryEstimate}. */
  public static MemoryEstimate estimate(TuningJobSpec spec) {
    try {
      return MemoryEstimate.of(spec);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the base model's config in " + spec.baseModelDir() + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Loads {@code adapterFile} (as {@link #run} writes it) onto {@code base} with the configuration
   * the spec implies and attaches it; close it to detach. For full fine-tuning it overwrites the
   * base's weights. Tensor names and shapes must be exactly the spec's.
   *
   * @throws ModelException when the file is truncated or corrupt, or not this spec's adapter
   */
  public static Trainable loadAdapter(TuningJobSpec spec, Path adapterFile, LlamaModel base)
      throws IOException {
    return AdapterFile.load(spec.adapterShape(), adapterFile, base);
  }

  /** {@link #loadAdapter(TuningJobSpec, Path, LlamaModel)} knowing only the adapter's shape. */
  public static Trainable loadAdapter(AdapterShape shape, Path adapterFile, LlamaModel base)
      throws IOException {
    return AdapterFile.load(shape, adapterFile, base);
  }

  /**
   * Asks a running job to stop at the next step boundary, with a checkpoint; {@link #run} then
   * throws {@link JobStoppedException}. Once training is over the job runs to its end.
   */
  public void requestStop() {
    stopRequested = true;
    Trainer t = trainer;
    if (t != null) {
      t.requestStop();
    }
  }

  /**
   * Runs {@code spec} in {@code workDir} (created when missing), resuming from its checkpoint;
   * {@code listener} may be null.
   *
   * @throws ModelException when the job cannot fit in memory (with the figures), or {@code workDir}
   *     holds the checkpoint of another job
   * @throws JobStoppedException when {@link #requestStop} stopped it
   */
  public TuningJobResult run(TuningJobSpec spec, Path workDir, Listener listener) {
    try {
      return runChecked(spec, workDir, listener == null ? SILENT : listener);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      trainer = null;
      stopRequested = false;
    }
  }

  private TuningJobResult runChecked(TuningJobSpec spec, Path workDir, Listener listener)
      throws IOException {
    Device device = Torch.engine().defaultDevice();
    MemoryEstimate need = estimate(spec);
    need.requireFits(available(device), device.isGpu() ? "the GPU" : "this machine");
    need.requireHeap(Runtime.getRuntime().maxMemory());
    Files.createDirectories(workDir);
    try (NDManager manager = Torch.engine().newBaseManager();
        LlamaModel model =
            LlamaModel.load(spec.baseModelDir(), manager, spec.tuningMethod().quantizesBase());
        Tokenizer tokenizer =
            Tokenizers.forModel(spec.baseModelDir(), model.config().vocabSize())) {
      Path checkpoint = workDir.resolve(CHECKPOINT_DIR);
      claim(checkpoint, spec, model);
      listener.onPhase(PHASE_TRAINING);
      long began = System.nanoTime();
      Trainer t = new Trainer(model, tokenizer);
      trainer = t;
      if (stopRequested) {
        t.requestStop();
      }
      t.setRecomputeLayers(spec.tuningMethod().recomputesLayers());
      try (Trainable trained = spec.tuningMethod().applyTo(model)) {
        List<Double> losses =
            t.train(
                trained,
                spec.trainExamples(),
                spec.trainConfig(),
                manager,
                new Trainer.Listener() {
                  @Override
                  public void onStep(Trainer.Progress p) {
                    listener.onStep(p.step(), p.totalSteps(), p.loss(), p.tokensPerSecond());
                  }

                  @Override
                  public void onResume(int step) {
                    listener.onResume(step, spec.totalSteps());
                  }
                },
                new Trainer.Checkpointing(checkpoint, CHECKPOINT_EVERY));
        trainer = null;
        if (losses.size() < spec.totalSteps()) {
          throw new JobStoppedException(losses.size(), spec.totalSteps());
        }
        Path adapter = workDir.resolve(ADAPTER_FILE);
        AdapterFile.write(spec, trained, model, adapter);
        Duration train = Duration.ofNanos(System.nanoTime() - began);

        listener.onPhase(PHASE_EVALUATING);
        began = System.nanoTime();
        JobEvaluation eval = JobEvaluation.of(model, tokenizer, spec, manager);
        Duration evalTime = Duration.ofNanos(System.nanoTime() - began);

        listener.onPhase(PHASE_ATTRIBUTING);
        began = System.nanoTime();
        Map<String, Double> influence = Influence.scores(t, trained, spec, manager);
        Duration attribution = Duration.ofNanos(System.nanoTime() - began);
        return new TuningJobResult(
            adapter,
            losses.getLast(),
            eval.evalLoss(),
            eval.rougeL(),
            influence,
            new TuningJobResult.Timings(train, evalTime, attribution));
      }
    }
  }

  /**
   * Records which job the checkpoint directory belongs to, or checks that an existing checkpoint is
   * this job's, so a resumed run never continues another job's training.
   */
  private static void claim(Path checkpoint, TuningJobSpec spec, LlamaModel model)
      throws IOException {
    Path job = checkpoint.resolve(JOB_FILE);
    String fingerprint = spec.fingerprint();
    String base = model.sha256();
    // A QLoRA checkpoint also names the NF4 base form it trained on; one from before every matrix
    // was NF4 names none and is not resumed onto the other weights.
    String form = spec.method() == TuningJobSpec.Method.QLORA_NF4 ? ModelHash.NF4 : "";
    if (Files.exists(job)) {
      JsonNode o = JSON.readTree(job.toFile());
      if (!fingerprint.equals(o.path("spec").asText())
          || !base.equals(o.path("base_model_sha256").asText())
          || !form.equals(o.path(ModelHash.QUANTIZATION_FIELD).asText(""))) {
        throw new ModelException(
            checkpoint
                + " holds the checkpoint of another job or base model; run this job in a fresh work"
                + " directory, or delete "
                + checkpoint
                + " to start it over");
      }
      return;
    }
    if (Files.isDirectory(checkpoint)) {
      try (var files = Files.list(checkpoint)) {
        if (files.findAny().isPresent()) {
          throw new ModelException(
              checkpoint + " holds files of no known job; delete it or use a fresh work directory");
        }
      }
    }
    Files.createDirectories(checkpoint);
    ObjectNode o = JSON.createObjectNode();
    o.put("spec", fingerprint);
    o.put("base_model_sha256", base);
    if (!form.isEmpty()) {
      o.put(ModelHash.QUANTIZATION_FIELD, form);
    }
    // Written beside the checkpoint and moved in: a crash never leaves half a job.json behind.
    Path tmp = checkpoint.resolveSibling(JOB_FILE + ".tmp");
    Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
    Files.move(tmp, job, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Memory the job may use: the GPU's total, or this machine's physical memory. */
  static long available(Device device) {
    if (device.isGpu()) {
      return CudaUtils.getGpuMemory(device).getMax();
    }
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return Runtime.getRuntime().maxMemory();
  }
}
