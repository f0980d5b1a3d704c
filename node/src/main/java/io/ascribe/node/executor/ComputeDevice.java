package io.ascribe.node.executor;

import io.ascribe.inference.Torch;
import java.util.Locale;

/** Where an executor runs its models: the CPU, or a CUDA GPU that libtorch can see. */
public enum ComputeDevice {
  CPU,
  CUDA;

  /**
   * The device named {@code name} ({@code cpu} or {@code cuda}).
   *
   * @throws IllegalArgumentException naming the two choices
   */
  public static ComputeDevice parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "cpu" -> CPU;
      case "cuda", "gpu" -> CUDA;
      default ->
          throw new IllegalArgumentException("--device must be cpu or cuda, not '" + name + "'");
    };
  }

  /**
   * Checks that this device can run here, before any job is taken.
   *
   * @throws IllegalStateException saying what is missing and how to get it
   */
  public void checkAvailable() {
    if (this == CUDA && Torch.engine().getGpuCount() == 0) {
      throw new IllegalStateException(
          "--device cuda: libtorch sees no CUDA GPU on this machine ("
              + Torch.libtorchPath()
              + "). Run with --device cpu, or on a machine with an NVIDIA GPU and driver build"
              + " the node with ./mvnw package -Pcuda");
    }
  }
}
