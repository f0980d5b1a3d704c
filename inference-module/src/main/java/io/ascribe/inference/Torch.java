package io.ascribe.inference;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Utils;

/**
 * The one place that starts DJL's PyTorch engine. libtorch comes from the {@code pytorch-native-*}
 * jar on the class path (extracted once into DJL's cache directory), so the engine never needs the
 * network: this class turns on {@code ai.djl.offline} before the engine loads unless the caller has
 * set it, which makes any attempted download an error instead of a silent fetch. Seeds go through
 * the engine so PyTorch's own generator (dropout, sampling) is seeded as well.
 */
public final class Torch {
  public static final String ENGINE = "PyTorch";

  private Torch() {}

  /**
   * The PyTorch engine, loading libtorch on first use, with autograd off on the calling thread.
   * libtorch's grad mode is per thread: the engine turns it off on the thread that loads it, but
   * every other thread starts with it on, and there the optimiser's in-place update of a weight
   * fails ("a leaf Variable that requires grad is being used in an in-place operation"). DJL turns
   * it on inside a GradientCollector and back off after, so off is the right state between steps.
   */
  public static Engine engine() {
    Engine engine = loaded();
    JniUtils.setGradMode(false);
    return engine;
  }

  private static synchronized Engine loaded() {
    offlineUnlessSet();
    return Engine.getEngine(ENGINE);
  }

  /**
   * Turns on {@code ai.djl.offline} unless the caller set it, before any DJL native library
   * (libtorch, Hugging Face tokenizers) is loaded, so a missing library is an error instead of a
   * download.
   */
  public static synchronized void offlineUnlessSet() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
  }

  /**
   * Seeds PyTorch's generator (CPU and, where present, CUDA), leaving autograd's mode as it is, so
   * a pass inside a GradientCollector may reseed.
   */
  public static void seed(long seed) {
    // DJL's API takes an int; fold the long so distinct seeds stay distinct in practice.
    loaded().setRandomSeed((int) (seed ^ (seed >>> 32)));
  }

  /**
   * A float32 scalar owned by libtorch, for arithmetic on arrays that autograd tracks. DJL's {@code
   * mul(Number)}, {@code div(Number)} and the like wrap the number in a temporary array over a Java
   * direct buffer (torch.from_blob) and close it right after the op; autograd has saved that array
   * for the backward pass, and once the garbage collector frees the buffer the backward pass reads
   * freed memory (drifting or NaN gradients). This scalar's memory belongs to libtorch, so autograd
   * keeps it alive as long as it needs it.
   */
  public static NDArray scalar(NDManager manager, double value) {
    return manager.full(new Shape(), (float) value);
  }

  /**
   * {@code bias + x·wᵀ}: one addmm when libtorch takes the bias (2-D rows, one dtype), which saves
   * a pass over the whole output; otherwise a product and an addition.
   */
  public static NDArray plusProduct(NDArray bias, NDArray x, NDArray w) {
    if (x.getShape().dimension() == 2 && x.getDataType() == bias.getDataType()) {
      return Linear.linear(x, w, bias).singletonOrThrow();
    }
    return bias.add(Linear.linear(x, w).singletonOrThrow());
  }

  /**
   * Adds {@code gradient} (the gradient of some objective with respect to {@code output}, same
   * shape) times {@code output}'s derivatives into every array that requires a gradient, and frees
   * the graph: the backward pass of one piece of a model, where a GradientCollector's only starts
   * from a scalar with gradient 1. Call it inside a GradientCollector.
   */
  public static void backward(NDArray output, NDArray gradient) {
    JniUtils.backward((PtNDArray) output, (PtNDArray) gradient, false, false);
  }

  /** Runs {@code work} with autograd off on this thread, then restores the mode it found. */
  public static void withoutGradient(Runnable work) {
    boolean was = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      work.run();
    } finally {
      JniUtils.setGradMode(was);
    }
  }

  /** Whether DJL runs in offline mode (never downloads). */
  public static boolean offline() {
    engine();
    return Utils.isOfflineMode();
  }

  /** The directory libtorch was loaded from. */
  public static String libtorchPath() {
    engine();
    return LibUtils.getLibtorchPath();
  }
}
