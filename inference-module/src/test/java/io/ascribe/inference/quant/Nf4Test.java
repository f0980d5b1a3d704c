package io.ascribe.inference.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ascribe.inference.ClassManager;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class Nf4Test {
  @RegisterExtension static final ClassManager MANAGER = new ClassManager();

  /** Seeded N(0, std²) values, shared with {@link Int8Test}. */
  static float[] normal(int n, double std, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * std);
    }
    return v;
  }

  @Test
  void levelsAreTheSixteenNormalFloatValues() {
    float[] l = Nf4.levels();
    assertThat(l).hasSize(16).startsWith(-1f).endsWith(1f);
    assertThat(l[7]).isZero();
    for (int i = 1; i < 16; i++) {
      assertThat(l[i]).isGreaterThan(l[i - 1]);
    }
    assertThat(l[8]).isEqualTo(0.07958029955625534f);
    assertThat(l[6]).isEqualTo(-0.09105003625154495f);
    float[] d = Nf4.dynamicMapValues();
    assertThat(d).hasSize(256).doesNotHaveDuplicates().startsWith(-0.99296874f).endsWith(1f);
    assertThat(d).contains(0f);
  }

  @Test
  void bitsPerParameterAreExact() {
    assertThat(Nf4.nominalBitsPerParameter()).isEqualTo(4.126953125);
    // 4 × 64 × 256 weights: 4 scale blocks and one offset on top of the nominal figure.
    int n = 4 * Nf4.BLOCK * Nf4.SCALE_BLOCK;
    Nf4Tensor t = Nf4.quantize(normal(n, 1, 1), new long[] {256, n / 256});
    assertThat(t.bits()).isEqualTo(4L * n + 8L * (n / 64) + 32L * 4 + 32);
    assertThat(t.bitsPerParameter()).isEqualTo(4.12744140625);
    assertThat(t.bytes()).isEqualTo(n / 2 + n / 64 + 16 + 4);
    // A 128 × 64 projection of the tiny test model: one partial scale block.
    Nf4Tensor small = Nf4.quantize(normal(128 * 64, 1, 2), new long[] {128, 64});
    assertThat(small.bitsPerParameter()).isEqualTo((4.0 * 8192 + 8 * 128 + 32 + 32) / 8192);
  }

  @Test
  void roundTripErrorIsBoundedOnNormalWeights() {
    int n = 64 * 1024;
    double std = 0.02;
    float[] w = normal(n, std, 3);
    Nf4Tensor t = Nf4.quantize(w, new long[] {1024, 64});
    float[] back = t.dequantize();
    double sq = 0;
    for (int b = 0; b < n / 64; b++) {
      float max = 0;
      for (int i = b * 64; i < b * 64 + 64; i++) {
        max = Math.max(max, Math.abs(w[i]));
      }
      // Half the widest gap between levels (-1 → -0.6962), plus what the 8-bit scale loses.
      assertThat(Math.abs(t.blockScale(b) - max)).isLessThan(0.01f * max);
      for (int i = b * 64; i < b * 64 + 64; i++) {
        assertThat(Math.abs(back[i] - w[i])).isLessThanOrEqualTo(0.1519f * max + 0.01f * max);
        sq += (back[i] - w[i]) * (double) (back[i] - w[i]);
      }
    }
    double rmse = Math.sqrt(sq / n);
    // NF4 is information-theoretically tuned to normal data: about a tenth of σ.
    assertThat(rmse / std).isLessThan(0.11);
    // Zero and the block maximum survive exactly up to the scale's rounding.
    Nf4Tensor zeros = Nf4.quantize(new float[128], new long[] {2, 64});
    assertThat(zeros.dequantize()).containsOnly(0f);
  }

  @Test
  void devicePathDequantisesToTheSameFloatsAsJava() {
    int n = 64 * 300; // 300 blocks: a full and a partial block of 256 scales
    float[] w = normal(n, 0.05, 4);
    Nf4Tensor t = Nf4.quantize(w, new long[] {300, 64});
    try (Nf4Weight dev = Nf4Weight.of(t, MANAGER.get());
        NDManager step = MANAGER.get().newSubManager()) {
      assertThat(dev.dequantize(step).toFloatArray()).containsExactly(t.dequantize());
      assertThat(dev.shape().getShape()).containsExactly(300, 64);
    }
  }

  @Test
  void gatheredRowsDequantiseToTheTablesRows() {
    // 300 rows of 128: 600 blocks, so rows sit in three blocks of 256 scales (the last partial).
    int rows = 300;
    int cols = 128;
    Nf4Tensor t = Nf4.quantize(normal(rows * cols, 0.02, 5), new long[] {rows, cols});
    float[] table = t.dequantize();
    long[] ids = {0, 299, 127, 128, 0, 200, 64, 255};
    try (Nf4Weight dev = Nf4Weight.of(t, MANAGER.get());
        NDManager step = MANAGER.get().newSubManager()) {
      NDArray idArray = step.create(ids, new Shape(2, 4));
      NDArray got = dev.dequantizeRows(idArray, step);
      assertThat(got.getShape().getShape()).containsExactly(2, 4, cols);
      float[] flat = got.toFloatArray();
      for (int k = 0; k < ids.length; k++) {
        float[] want =
            java.util.Arrays.copyOfRange(table, (int) ids[k] * cols, (int) (ids[k] + 1) * cols);
        assertThat(java.util.Arrays.copyOfRange(flat, k * cols, (k + 1) * cols))
            .as("row %d", ids[k])
            .containsExactly(want);
      }
    }
    assertThat(Nf4Weight.rowsAreWholeBlocks(new long[] {10, 96})).isFalse();
    Nf4Tensor odd = Nf4.quantize(normal(2 * 96, 1, 6), new long[] {2, 96});
    try (Nf4Weight dev = Nf4Weight.of(odd, MANAGER.get());
        NDManager step = MANAGER.get().newSubManager()) {
      assertThatThrownBy(() -> dev.dequantizeRows(step.create(new long[] {1}), step))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rows of whole 64-blocks");
    }
  }
}
