package io.ascribe.inference.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.TinyModel;
import io.ascribe.inference.Torch;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.safetensors.SafeTensorsFile;
import io.ascribe.inference.safetensors.SafeTensorsWriter;
import io.ascribe.inference.safetensors.TensorInfo;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TuningJobRunnerTest {
  @TempDir static Path shared;
  static Path base;

  @BeforeAll
  static void model() {
    base = TinyModel.write(shared.resolve("base"), 7);
  }

  private static TuningJobResult run(TuningJobSpec spec, Path dir) {
    return new TuningJobRunner().run(spec, dir, Jobs.QUIET);
  }

  @Test
  void theSameSpecTwiceGivesTheSameAdapterBytesAndFigures(@TempDir Path dir) throws Exception {
    TuningJobSpec spec = Jobs.capitals(base, TuningJobSpec.Method.LORA, 11);
    List<String> phases = new ArrayList<>();
    List<Integer> steps = new ArrayList<>();
    TuningJobResult a =
        new TuningJobRunner()
            .run(
                spec,
                dir.resolve("a"),
                new TuningJobRunner.Listener() {
                  @Override
                  public void onStep(int step, int total, double loss, double tokensPerSecond) {
                    assertThat(total).isEqualTo(6);
                    assertThat(loss).isFinite().isPositive();
                    steps.add(step);
                  }

                  @Override
                  public void onPhase(String phase) {
                    phases.add(phase);
                  }
                });
    TuningJobResult b = run(spec, dir.resolve("b"));

    assertThat(steps).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(phases)
        .containsExactly(
            TuningJobRunner.PHASE_TRAINING,
            TuningJobRunner.PHASE_EVALUATING,
            TuningJobRunner.PHASE_ATTRIBUTING);
    assertThat(a.adapterFile()).isEqualTo(dir.resolve("a").resolve("adapter.safetensors"));
    assertThat(Files.readAllBytes(a.adapterFile())).isEqualTo(Files.readAllBytes(b.adapterFile()));
    assertThat(a.finalLoss()).isEqualTo(b.finalLoss());
    assertThat(a.evalLoss()).isEqualTo(b.evalLoss());
    assertThat(a.rougeL()).isEqualTo(b.rougeL()).isBetween(0.0, 1.0);
    assertThat(a.influence()).isEqualTo(b.influence());
    assertThat(a.influence().keySet())
        .containsExactlyElementsOf(spec.train().stream().map(JobDocument::id).toList());
    // Another seed is another adapter.
    TuningJobResult c = run(Jobs.capitals(base, TuningJobSpec.Method.LORA, 12), dir.resolve("c"));
    assertThat(Files.readAllBytes(c.adapterFile()))
        .isNotEqualTo(Files.readAllBytes(a.adapterFile()));
  }

  @Test
  void aStoppedRunResumesToTheSameAdapterBytes(@TempDir Path dir) throws Exception {
    TuningJobSpec spec = Jobs.capitals(base, TuningJobSpec.Method.LORA, 13);
    TuningJobResult whole = run(spec, dir.resolve("whole"));

    TuningJobRunner runner = new TuningJobRunner();
    Path work = dir.resolve("stopped");
    assertThatThrownBy(
            () ->
                runner.run(
                    spec,
                    work,
                    new TuningJobRunner.Listener() {
                      @Override
                      public void onStep(int step, int total, double loss, double tps) {
                        if (step == 2) {
                          runner.requestStop();
                        }
                      }

                      @Override
                      public void onPhase(String phase) {}
                    }))
        .isInstanceOfSatisfying(JobStoppedException.class, e -> assertThat(e.step()).isEqualTo(2));
    assertThat(Trainer.checkpointStep(work.resolve("checkpoint"))).hasValue(2);
    assertThat(work.resolve("adapter.safetensors")).doesNotExist();

    List<Integer> resumed = new ArrayList<>();
    List<Integer> resumedFrom = new ArrayList<>();
    TuningJobResult rest =
        runner.run(
            spec,
            work,
            new TuningJobRunner.Listener() {
              @Override
              public void onStep(int step, int total, double loss, double tps) {
                resumed.add(step);
              }

              @Override
              public void onPhase(String phase) {}

              @Override
              public void onResume(int step, int total) {
                resumedFrom.add(step);
              }
            });
    assertThat(resumedFrom).as("the listener hears where training went on from").containsExactly(2);
    assertThat(resumed).containsExactly(3, 4, 5, 6);
    assertThat(Files.readAllBytes(rest.adapterFile()))
        .isEqualTo(Files.readAllBytes(whole.adapterFile()));
    assertThat(rest.evalLoss()).isEqualTo(whole.evalLoss());
    assertThat(rest.influence()).isEqualTo(whole.influence());

    // Killed after training (during evaluation, say): the rerun trains no step and ends the same.
    Files.delete(rest.adapterFile());
    List<Integer> none = new ArrayList<>();
    TuningJobResult again =
        runner.run(
            spec,
            work,
            new TuningJobRunner.Listener() {
              @Override
              public void onStep(int step, int total, double loss, double tps) {
                none.add(step);
              }

              @Override
              public void onPhase(String phase) {}
            });
    assertThat(none).isEmpty();
    assertThat(Files.readAllBytes(again.adapterFile()))
        .isEqualTo(Files.readAllBytes(whole.adapterFile()));
    assertThat(again.finalLoss()).isEqualTo(whole.finalLoss());
  }

  @Test
  void aCheckpointOfAnotherJobIsRefusedAndKept(@TempDir Path dir) throws Exception {
    run(Jobs.capitals(base, TuningJobSpec.Method.LORA, 14), dir);
    byte[] before = Files.readAllBytes(dir.resolve("checkpoint/trainable.safetensors"));
    assertThatThrownBy(() -> run(Jobs.capitals(base, TuningJobSpec.Method.LORA, 15), dir))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("checkpoint of another job")
        .hasMessageContaining("fresh work directory");
    assertThat(Files.readAllBytes(dir.resolve("checkpoint/trainable.safetensors")))
        .isEqualTo(before);
  }

  @ParameterizedTest
  @EnumSource(TuningJobSpec.Method.class)
  void everyMethodsFileLoadsFromTheSpecAloneAndGivesTheSameEvaluation(
      TuningJobSpec.Method method, @TempDir Path dir) throws Exception {
    TuningJobSpec spec = Jobs.capitals(base, method, 16);
    TuningJobResult r = run(spec, dir);
    try (NDManager m = Torch.engine().newBaseManager();
        LlamaModel fresh = LlamaModel.load(base, m);
        Trainable t = TuningJobRunner.loadAdapter(spec, r.adapterFile(), fresh)) {
      assertThat(t.parameterCount()).isPositive();
      JobEvaluation again = JobEvaluation.of(fresh, new ByteTokenizer(), spec, m);
      assertThat(again.evalLoss()).isEqualTo(r.evalLoss());
      assertThat(again.rougeL()).isEqualTo(r.rougeL());
    }
    // Training moved the model: the evaluation loss is below the base's.
    try (NDManager m = Torch.engine().newBaseManager();
        LlamaModel fresh = LlamaModel.load(base, m)) {
      double untrained =
          new Trainer(fresh, new ByteTokenizer()).evaluate(spec.evalExamples(), 4, m);
      assertThat(r.evalLoss()).isLessThan(untrained);
    }
  }

  @Test
  void aTruncatedOrCorruptAdapterFileGivesAClearError(@TempDir Path dir) throws Exception {
    TuningJobSpec spec = Jobs.capitals(base, TuningJobSpec.Method.LORA, 17);
    byte[] good = Files.readAllBytes(run(spec, dir.resolve("run")).adapterFile());
    Path truncated = dir.resolve("truncated.safetensors");
    Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 100));
    Path flipped = dir.resolve("flipped.safetensors");
    byte[] bad = good.clone();
    bad[bad.length - 5] ^= 0x40;
    Files.write(flipped, bad);
    Path empty = dir.resolve("empty.safetensors");
    Files.write(empty, new byte[3]);
    try (NDManager m = Torch.engine().newBaseManager();
        LlamaModel fresh = LlamaModel.load(base, m)) {
      for (Path p : List.of(truncated, empty)) {
        assertThatThrownBy(() -> TuningJobRunner.loadAdapter(spec, p, fresh))
            .isInstanceOf(ModelException.class)
            .hasMessageContaining("truncated or corrupt")
            .hasMessageContaining("fetch it again");
      }
      assertThatThrownBy(() -> TuningJobRunner.loadAdapter(spec, flipped, fresh))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("does not match its checksum");
      // The right bytes read as another rank's adapter: the shapes are checked strictly.
      TuningJobSpec rank8 =
          new TuningJobSpec(base, spec.method(), 8, 16, 1e-2, 3, 4, 17, spec.train(), spec.eval());
      Path good2 = dir.resolve("good.safetensors");
      Files.write(good2, good);
      assertThatThrownBy(() -> TuningJobRunner.loadAdapter(rank8, good2, fresh))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("has shape [4, 64]");
      TuningJobSpec prefix =
          new TuningJobSpec(
              base, TuningJobSpec.Method.PTUNING, 4, 8, 1e-2, 3, 4, 17, spec.train(), spec.eval());
      assertThatThrownBy(() -> TuningJobRunner.loadAdapter(prefix, good2, fresh))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("made by method LORA, the job is PTUNING");
    }
  }

  @Test
  void aQloraFileWithoutTheBaseFormItWasTrainedOnIsRefused(@TempDir Path dir) throws Exception {
    TuningJobSpec spec = Jobs.capitals(base, TuningJobSpec.Method.QLORA_NF4, 18);
    Path good = run(spec, dir.resolve("run")).adapterFile();
    Path old = dir.resolve("old.safetensors");
    try (SafeTensorsFile st = SafeTensorsFile.open(good)) {
      assertThat(st.metadata()).containsEntry("ascribe.base_model_quantization", "nf4-int8head");
      // What a file of the older QLoRA base (NF4 projections only) held: the same, less the form.
      Map<String, String> meta = new LinkedHashMap<>(st.metadata());
      meta.remove("ascribe.base_model_quantization");
      List<SafeTensorsWriter.Tensor> tensors = new ArrayList<>();
      for (TensorInfo t : st.tensors()) {
        tensors.add(SafeTensorsWriter.Tensor.f32(t.name(), t.shape(), st.floats(t.name())));
      }
      SafeTensorsWriter.write(old, meta, tensors);
    }
    try (NDManager m = Torch.engine().newBaseManager();
        LlamaModel fresh = LlamaModel.load(base, m)) {
      assertThatThrownBy(() -> TuningJobRunner.loadAdapter(spec, old, fresh))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("trained on the older QLoRA base (NF4 projections only)")
          .hasMessageContaining("run the job again to retrain it");
      assertThat(fresh.isQuantized()).isFalse();
      try (Trainable t = TuningJobRunner.loadAdapter(spec, good, fresh)) {
        assertThat(t.parameterCount()).isPositive();
        assertThat(fresh.isQuantized()).isTrue();
      }
    }
    // Its checkpoint names the form too; a checkpoint of the older base does not resume.
    Path job = dir.resolve("run/checkpoint/job.json");
    String claimed = Files.readString(job);
    assertThat(claimed).contains("\"base_model_quantization\" : \"nf4-int8head\"");
    Files.writeString(
        job, claimed.replaceAll(",?\\s*\"base_model_quantization\" : \"nf4-int8head\"", ""));
    assertThatThrownBy(() -> run(spec, dir.resolve("run")))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("checkpoint of another job or base model");
  }

  @Test
  void copiesOfTheEvaluationDocumentsOutscoreUnrelatedNoise(@TempDir Path dir) {
    Random random = new Random(5);
    List<JobDocument> train = new ArrayList<>();
    List<JobDocument> eval = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      train.add(Jobs.capital("copy" + i, i));
      eval.add(Jobs.capital("eval" + i, i));
    }
    for (int i = 0; i < 8; i++) {
      train.add(
          new JobDocument("noise" + i, new Example(noise(random, 12), " " + noise(random, 8))));
    }
    TuningJobSpec spec =
        new TuningJobSpec(base, TuningJobSpec.Method.LORA, 4, 8, 5e-3, 2, 12, 3, train, eval);
    TuningJobResult r = run(spec, dir);
    double lowestCopy = Double.MAX_VALUE;
    double highestNoise = -Double.MAX_VALUE;
    double copies = 0;
    double noise = 0;
    for (var e : r.influence().entrySet()) {
      if (e.getKey().startsWith("copy")) {
        lowestCopy = Math.min(lowestCopy, e.getValue());
        copies += e.getValue() / 4;
      } else {
        highestNoise = Math.max(highestNoise, e.getValue());
        noise += e.getValue() / 8;
      }
    }
    // Noise helps a little too (every response ends in EOS after a space-led word): measured
    // with DataInf, copies 635 to 829 (mean 729), noise −59 to 152 (mean 47). TracIn had
    // 0.83e-3 to 1.17e-3 and −0.08e-3 to 0.47e-3: DataInf's scale is its own, and only the
    // ratios between scores are paid on.
    assertThat(lowestCopy).isPositive().isGreaterThan(highestNoise);
    assertThat(copies).isGreaterThan(5 * noise);
  }

  private static String noise(Random random, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append((char) ('a' + random.nextInt(26)));
    }
    return s.toString();
  }

  @Test
  void badSpecsAreRefusedWithTheFix() {
    List<JobDocument> docs = List.of(Jobs.capital("a", 0));
    assertThatThrownBy(
            () ->
                new TuningJobSpec(
                    base, TuningJobSpec.Method.LORA, 4, 8, 1e-2, 1, 1, 1, List.of(), docs))
        .hasMessageContaining("training set is empty");
    assertThatThrownBy(
            () ->
                new TuningJobSpec(base, TuningJobSpec.Method.LORA, 0, 8, 1e-2, 1, 1, 1, docs, docs))
        .hasMessageContaining("LORA needs a rank > 0");
    assertThatThrownBy(
            () ->
                new TuningJobSpec(
                    base, TuningJobSpec.Method.PTUNING, 0, 0, 1e-2, 1, 1, 1, docs, docs))
        .hasMessageContaining("virtual token");
    assertThatThrownBy(
            () -> new TuningJobSpec(base, TuningJobSpec.Method.LORA, 4, 8, 0, 1, 1, 1, docs, docs))
        .hasMessageContaining("learning rate");
    assertThatThrownBy(
            () ->
                new TuningJobSpec(
                    base,
                    TuningJobSpec.Method.LORA,
                    4,
                    8,
                    1e-2,
                    1,
                    1,
                    1,
                    List.of(docs.get(0), docs.get(0)),
                    docs))
        .hasMessageContaining("appears twice");
    // Full fine-tuning ignores rank and alpha.
    assertThat(
            new TuningJobSpec(base, TuningJobSpec.Method.FULL, 0, 0, 1e-2, 2, 1, 1, docs, docs)
                .totalSteps())
        .isEqualTo(2);
  }

  @Test
  void theMemoryEstimateRefusesAJobThatCannotFitWithTheFigures() {
    TuningJobSpec lora = Jobs.capitals(base, TuningJobSpec.Method.LORA, 1);
    TuningJobSpec full = Jobs.capitals(base, TuningJobSpec.Method.FULL, 1);
    TuningJobSpec qlora = Jobs.capitals(base, TuningJobSpec.Method.QLORA_NF4, 1);
    MemoryEstimate l = TuningJobRunner.estimate(lora);
    MemoryEstimate f = TuningJobRunner.estimate(full);
    MemoryEstimate q = TuningJobRunner.estimate(qlora);
    long params = 0;
    for (long[] s : LlamaModel.expectedShapes(TinyModel.CONFIG).values()) {
      params += s.length == 2 ? s[0] * s[1] : s[0];
    }
    assertThat(l.weights()).isEqualTo(4 * params);
    // LoRA rank 4 on q_proj (64 → 64) and v_proj (64 → 32) of 2 layers, four floats per value.
    assertThat(l.optimizer()).isEqualTo(2L * 4 * (64 + 64 + 64 + 32) * 16);
    assertThat(f.optimizer()).isEqualTo(12 * params);
    // QLoRA: the NF4 matrices at 4.126953125 bits a weight (rounded up once), the untied head at
    // int8's 8.5, the 320 norm values at 4 bytes: 2 layers × 36 864 projection weights +
    // embeddings of 258 × 64 in NF4, the head of 258 × 64 in 258 · 64 code bytes + 258 scales.
    long nf4 = 2L * 36_864 + 258 * 64;
    long head = 258 * 64;
    assertThat(nf4 + head + 5 * 64).isEqualTo(params);
    assertThat(q.weights())
        .isEqualTo(5 * 64 * 4 + (long) Math.ceil(nf4 * 4.126953125 / 8) + head + 4 * 258);
    assertThat(l.activations()).isPositive();
    // Activations for batch 4 of the longest document (t bytes): per token and layer LoRA keeps
    // 2·64 + 2·(64 + 2·32) + 2·64 + 4·128 + 2·4·t floats (norm inputs, q|k|v and their rotated
    // copies, attention inputs, the MLP's four, the attention probabilities), and 3 · 258 for the
    // logits. QLoRA recomputes the layers: it keeps each layer's 64-wide input, one layer's arrays
    // and that layer's float32 matrices (36 864 weights) instead of both layers' arrays.
    long t =
        qlora.train().stream()
                .mapToLong(
                    d ->
                        d.example()
                                .prompt()
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)
                                .length
                            + d.example()
                                .response()
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)
                                .length)
                .max()
                .orElseThrow()
            + 2;
    long perLayer = 1024 + 8 * t;
    assertThat(l.activations()).isEqualTo(4 * 4 * t * (2 * perLayer + 3 * 258));
    assertThat(q.activations()).isEqualTo(4 * 4 * t * (2 * 64 + perLayer + 3 * 258) + 4 * 36_864);
    assertThatThrownBy(() -> l.requireFits(l.total() - 1, "this machine"))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("weights")
        .hasMessageContaining("optimizer")
        .hasMessageContaining("activations")
        .hasMessageContaining("smaller batch size");
    l.requireFits(l.total(), "this machine");
    // Influence holds the line's two ends on the Java heap: 8 bytes a trainable value, which for
    // full fine-tuning is every weight.
    assertThat(l.heap()).isEqualTo(2L * 4 * (64 + 64 + 64 + 32) * 8);
    assertThat(f.heap()).isEqualTo(8 * params);
    assertThatThrownBy(() -> f.requireHeap(f.heap() - 1))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("Java heap")
        .hasMessageContaining("-Xmx");
    f.requireHeap(f.heap());
  }
}
