package io.ascribe.node.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.inference.Torch;
import org.junit.jupiter.api.Test;

class ComputeDeviceTest {
  @Test
  void devicesAreNamedAsOperatorsWriteThem() {
    assertThat(ComputeDevice.parse("cpu")).isEqualTo(ComputeDevice.CPU);
    assertThat(ComputeDevice.parse("CUDA")).isEqualTo(ComputeDevice.CUDA);
    assertThatThrownBy(() -> ComputeDevice.parse("tpu"))
        .hasMessageContaining("--device must be cpu or cuda, not 'tpu'");
  }

  @Test
  void cudaIsRefusedWithTheFixExactlyWhenLibtorchSeesNoGpu() {
    assertThatCode(ComputeDevice.CPU::checkAvailable).doesNotThrowAnyException();
    if (Torch.engine().getGpuCount() == 0) {
      assertThatThrownBy(ComputeDevice.CUDA::checkAvailable)
          .hasMessageContaining("libtorch sees no CUDA GPU")
          .hasMessageContaining("--device cpu")
          .hasMessageContaining("-Pcuda");
    } else {
      assertThatCode(ComputeDevice.CUDA::checkAvailable).doesNotThrowAnyException();
    }
  }
}
