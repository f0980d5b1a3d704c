package io.ascribe.inference.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What a tuning method trains on a model: named arrays (a LoRA adapter's A and B, prefix keys and
 * values, or every weight), in a fixed order so an optimiser's state and a checkpoint line up with
 * them. Closing it detaches whatever it attached to the model.
 */
public interface Trainable extends AutoCloseable {
  /** The trainable arrays by stable name, in a fixed order. */
  Map<String, NDArray> namedParameters();

  /** Number of trainable values. */
  default long parameterCount() {
    return namedParameters().values().stream().mapToLong(NDArray::size).sum();
  }

  @Override
  void close();
}
