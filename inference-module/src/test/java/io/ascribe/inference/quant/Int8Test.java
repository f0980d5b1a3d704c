package io.ascribe.inference.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.ClassManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class Int8Test {
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  @Test
  void everyWeightComesBackWithinHalfAStepOfItsBlocksAbsmax() {
    // 40 blocks and a short one of 10; block 3 all zero, block 7 with one outlier.
    float[] w = Nf4Test.normal(40 * 64 + 10, 0.02, 1);
    java.util.Arrays.fill(w, 3 * 64, 4 * 64, 0f);
    w[7 * 64 + 5] = 3f;
    Int8Tensor t = Int8.quantize(w, new long[] {w.length});
    assertThat(t.scales()).hasSize(41);
    float[] back = t.dequantize();
    for (int b = 0; b < 41; b++) {
      float max = 0;
      for (int i = b * 64; i < Math.min(w.length, b * 64 + 64); i++) {
        max = Math.max(max, Math.abs(w[i]));
      }
      assertThat(t.scales()[b]).isEqualTo(max / 127f);
      for (int i = b * 64; i < Math.min(w.length, b * 64 + 64); i++) {
        assertThat(t.codes()[i]).isBetween((byte) -127, (byte) 127);
        // Half a step, with float32's rounding of the scale and the product on top.
        assertThat(Math.abs(back[i] - w[i])).isLessThanOrEqualTo(max / 254 * 1.0001f);
      }
    }
    // The zero block stays exactly zero; the outlier is its block's largest code, exactly.
    for (int i = 3 * 64; i < 4 * 64; i++) {
      assertThat(back[i]).isZero();
    }
    assertThat(t.codes()[7 * 64 + 5]).isEqualTo((byte) 127);
    assertThat(back[7 * 64 + 5]).isCloseTo(3f, org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void storageIsOneByteAWeightAndAFloatABlock() {
    Int8Tensor t = Int8.quantize(Nf4Test.normal(258 * 64, 1, 2), new long[] {258, 64});
    assertThat(t.bytes()).isEqualTo(258 * 64 + 4 * 258);
    assertThat(t.bitsPerParameter()).isEqualTo(Int8.BITS_PER_PARAMETER).isEqualTo(8.5);
    try (Int8Weight d = Int8Weight.of(t, MANAGER.get())) {
      assertThat(d.bytes()).isEqualTo(t.bytes());
    }
  }

  @Test
  void theDeviceDequantisesToTheSameFloatsAsJava() {
    Int8Tensor t = Int8.quantize(Nf4Test.normal(12 * 128, 0.05, 3), new long[] {12, 128});
    try (Int8Weight d = Int8Weight.of(t, MANAGER.get());
        NDManager step = MANAGER.get().newSubManager()) {
      var w = d.dequantize(step);
      assertThat(w.getShape().getShape()).containsExactly(12, 128);
      assertThat(w.toFloatArray()).containsExactly(t.dequantize());
    }
  }

  @Test
  void quantisingIsReproducible() {
    float[] w = Nf4Test.normal(1000, 0.1, 4);
    Int8Tensor a = Int8.quantize(w, new long[] {1000});
    Int8Tensor b = Int8.quantize(w.clone(), new long[] {1000});
    assertThat(a.codes()).containsExactly(b.codes());
    assertThat(a.scales()).containsExactly(b.scales());
  }

  @Test
  void badInputIsRefusedWithTheReason() {
    assertThatThrownBy(() -> Int8.quantize(new float[10], new long[] {3, 4}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds 12 values, got 10");
    Int8Tensor partial = Int8.quantize(new float[100], new long[] {100});
    assertThatThrownBy(() -> Int8Weight.of(partial, MANAGER.get()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whole blocks of 64");
  }
}
