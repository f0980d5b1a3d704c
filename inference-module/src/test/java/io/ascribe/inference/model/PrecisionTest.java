package io.ascribe.inference.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.ascribe.inference.ClassManager;
import io.ascribe.inference.tokenizer.ByteTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mixed precision: chosen per device (float32 on CPU, float16 on CUDA GPUs with tensor cores), and
 * the float16 path itself, run on CPU here since libtorch's CPU kernels accept float16 too.
 */
class PrecisionTest {
  static final LlamaConfig TINY = LlamaConfig.tiny(ByteTokenizer.VOCAB_SIZE);
  static final ByteTokenizer TOK = new ByteTokenizer();
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  @Test
  void theCpuStaysFloat32AndGpusWithTensorCoresGetFloat16() {
    assertThat(Precision.forDevice(Device.cpu())).isEqualTo(Precision.FP32);
    assertThat(Precision.forDevice(Device.cpu(), id -> 90)).isEqualTo(Precision.FP32);
    assertThat(Precision.forDevice(Device.gpu(0), id -> 80)).isEqualTo(Precision.FP16);
    assertThat(Precision.forDevice(Device.gpu(1), id -> 70)).isEqualTo(Precision.FP16);
    assertThat(Precision.forDevice(Device.gpu(0), id -> 61)).isEqualTo(Precision.FP32);
    assertThat(Precision.FP16.computeType()).isEqualTo(DataType.FLOAT16);
  }

  @Test
  void float16ProductsStayCloseToFloat32() {
    try (LlamaModel model = ModelFactory.create(TINY, 3, MANAGER.get())) {
      assertThat(model.precision()).as("the default").isEqualTo(Precision.FP32);
      float[] fp32 = logits(model, "city: Lima");
      model.setPrecision(Precision.FP16);
      float[] fp16 = logits(model, "city: Lima");
      model.setPrecision(Precision.FP32);
      assertThat(logits(model, "city: Lima")).as("back to float32").containsExactly(fp32);
      double maxDiff = 0;
      double maxAbs = 0;
      for (int i = 0; i < fp32.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(fp32[i] - fp16[i]));
        maxAbs = Math.max(maxAbs, Math.abs(fp32[i]));
      }
      // float16 keeps 11 significant bits: differences of about a part in a thousand, not zero.
      assertThat(maxDiff).isGreaterThan(0).isLessThan(0.01 * maxAbs);
    }
  }

  private static float[] logits(LlamaModel model, String text) {
    try (NDManager step = MANAGER.get().newSubManager()) {
      return model.forward(LlamaModel.ids(step, TOK.encode(text)), null, false).toFloatArray();
    }
  }
}
