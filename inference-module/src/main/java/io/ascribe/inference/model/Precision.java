package io.ascribe.inference.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.cuda.CudaUtils;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dtype a model's matrix products run in. Weights always stay float32 (the master copy the
 * optimiser updates); under {@link #FP16} each projection, attention product and the LM head cast
 * their operands to float16 and their result back to float32, as PyTorch's autocast does, while
 * norms, softmax, RoPE and the loss stay float32. float16's small range needs loss scaling, which
 * the trainer does ({@code LossScaler}).
 *
 * <p>Why float16 and not bfloat16: DJL 0.32's PyTorch JNI has no bfloat16 dtype (a bfloat16 array
 * aborts the process) and its {@code toType} runs without autograd. The casts here are therefore
 * ones autograd records: down by copying into a float16 array ({@code index_put}, CopySlices), up
 * by type promotion against a float32 one.
 *
 * <p>{@link #forDevice} turns it on for CUDA devices with float16 tensor cores (compute capability
 * 7.0 and up) and off elsewhere. On CPU it stays off: libtorch's half-precision CPU kernels are no
 * faster than float32, and the CPU path is the one runs are repeated on bit for bit.
 */
public enum Precision {
  FP32(DataType.FLOAT32),
  FP16(DataType.FLOAT16);

  private static final Logger LOG = LoggerFactory.getLogger(Precision.class);
  private static final AtomicBoolean CPU_SAID = new AtomicBoolean();
  private static final AtomicBoolean OLD_GPU_SAID = new AtomicBoolean();
  private static final AtomicBoolean MIXED_SAID = new AtomicBoolean();

  private final DataType compute;

  Precision(DataType compute) {
    this.compute = compute;
  }

  /** The dtype matrix products run in. */
  public DataType computeType() {
    return compute;
  }

  /** The precision for training on {@code device}, logged once per kind of choice. */
  public static Precision forDevice(Device device) {
    return forDevice(device, id -> Integer.parseInt(CudaUtils.getComputeCapability(id)));
  }

  /**
   * As {@link #forDevice(Device)}, with the compute capability (major·10 + minor) of a GPU given by
   * {@code computeCapability}.
   */
  static Precision forDevice(Device device, IntUnaryOperator computeCapability) {
    if (!device.isGpu()) {
      if (!CPU_SAID.getAndSet(true)) {
        LOG.info(
            "mixed precision is off on CPU: float32 throughout (half-precision CPU kernels are no"
                + " faster, and CPU runs repeat bit for bit)");
      }
      return FP32;
    }
    int cc = computeCapability.applyAsInt(device.getDeviceId());
    if (cc >= 70) {
      if (!MIXED_SAID.getAndSet(true)) {
        LOG.info(
            "mixed precision on {}: float16 matrix products with loss scaling, float32 master"
                + " weights",
            device);
      }
      return FP16;
    }
    if (!OLD_GPU_SAID.getAndSet(true)) {
      LOG.info(
          "mixed precision is off on {}: compute capability {}.{} has no float16 tensor cores",
          device,
          cc / 10,
          cc % 10);
    }
    return FP32;
  }

  /** {@code a} in this precision's compute dtype, as an array of {@code m} autograd tracks. */
  NDArray down(NDArray a, NDManager m) {
    NDArray out = m.zeros(a.getShape(), compute);
    out.set(new NDIndex(":"), a);
    return out;
  }

  /** {@code a} back in float32, by promotion against a float32 one (autograd tracks it). */
  static NDArray up(NDArray a, NDManager m) {
    return a.mul(m.ones(new Shape(1)));
  }
}
