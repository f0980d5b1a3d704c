package io.ascribe.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The build runs tests with {@code -Dai.djl.offline=true} and a DJL cache directory under {@code
 * target/} that starts empty after {@code clean}; libtorch loading from there proves it came out of
 * the native jar and not from a download or an old cache.
 */
class OfflineEngineTest {
  @Test
  void libtorchLoadsFromTheNativeJarWithDownloadsForbidden() {
    assertThat(Torch.offline()).isTrue();
    assertThat(Torch.engine().getVersion()).isEqualTo("2.5.1");
    String cache = System.getProperty("DJL_CACHE_DIR");
    assertThat(cache).as("surefire sets DJL_CACHE_DIR").isNotNull();
    Path lib = Path.of(Torch.libtorchPath()).toAbsolutePath().normalize();
    assertThat(lib).startsWith(Path.of(cache).toAbsolutePath().normalize());
    assertThat(Files.isDirectory(lib)).isTrue();
  }

  @Test
  void autogradRuns() {
    try (NDManager m = NDManager.newBaseManager(Torch.ENGINE)) {
      NDArray x = m.create(new float[] {1, 2, 3});
      x.setRequiresGradient(true);
      try (GradientCollector gc = Torch.engine().newGradientCollector()) {
        gc.backward(x.mul(x).sum());
      }
      assertThat(x.getGradient().toFloatArray()).containsExactly(2, 4, 6);
    }
  }
}
