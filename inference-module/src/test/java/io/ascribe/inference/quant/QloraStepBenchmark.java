package io.ascribe.inference.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.ascribe.inference.Torch;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tuning.TuningMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * What a QLoRA step costs over a LoRA step on the same base, and how much of it is the embeddings
 * and head being NF4 too: the median forward + backward time of a batch of 8 × 48 random tokens
 * with LoRA (rank 8, all projections) on the float32 base and with QLoRA on the NF4 base,
 * interleaved so both see the same load, and the time of dequantising the head twice (what the
 * embeddings and the untied head add per step). Run with {@code scripts/bench-nf4-lookup.sh}, which
 * passes the tuning benchmark's pretrained base when it is cached.
 */
public final class QloraStepBenchmark {
  private QloraStepBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path base = Path.of(args[0]);
    try (NDManager manager = NDManager.newBaseManager(Torch.ENGINE);
        LlamaModel lora = LlamaModel.load(base, manager);
        LlamaModel qlora = LlamaModel.load(base, manager)) {
      LoraConfig cfg = new LoraConfig(8, 16, 0, LlamaModel.PROJECTIONS);
      Trainable a = new TuningMethod.Lora(cfg, 1).applyTo(lora);
      Trainable b = new TuningMethod.QLora(cfg, 1).applyTo(qlora);
      for (Trainable t : List.of(a, b)) {
        t.namedParameters().values().forEach(p -> p.setRequiresGradient(true));
      }
      Random r = new Random(1);
      long[] ids = new long[8 * 48];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = r.nextInt(258);
      }
      List<Double> tl = new ArrayList<>();
      List<Double> tq = new ArrayList<>();
      List<Double> td = new ArrayList<>();
      for (int rep = 0; rep < 43; rep++) {
        for (int way = 0; way < 3; way++) {
          try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(ids, new Shape(8, 48)).toType(DataType.INT64, false);
            long start = System.nanoTime();
            if (way == 2) {
              Nf4Weight e = Nf4Weight.of(qlora.quantizedWeight(LlamaModel.EMBEDDINGS), step);
              Int8Weight h = Int8Weight.of(qlora.int8Weight(LlamaModel.HEAD), step);
              e.dequantize(step).toFloatArray();
              h.dequantize(step).toFloatArray();
            } else {
              LlamaModel m = way == 0 ? lora : qlora;
              try (GradientCollector gc = Torch.engine().newGradientCollector()) {
                NDArray loss = m.forward(x, null, true).logSoftmax(-1).mean().neg();
                gc.backward(loss);
              }
            }
            double ms = (System.nanoTime() - start) / 1e6;
            if (rep >= 3) {
              (way == 0 ? tl : way == 1 ? tq : td).add(ms);
            }
          }
        }
      }
      System.out.printf(
          "median fwd+bwd: lora %.1f ms, qlora %.1f ms; dequantising the NF4 embeddings and int8 head %.2f ms%n",
          median(tl), median(tq), median(td));
    }
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
