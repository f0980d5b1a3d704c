package io.ascribe.inference.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/**
 * Where the real tokens of a right-padded batch sit in its (rows × width) grid, so that a forward
 * pass can hold them as one (tokens, features) matrix without the padding and spread them onto the
 * grid only for the attention. {@link #real} lists the grid positions (row · width + column) of the
 * real tokens in row order; every grid position {@link #spread} fills shows a real token, padding
 * the last real token of its row (its values never reach a real token: the causal mask hides later
 * columns, and what padding queries attend to is dropped by {@link #gather}).
 */
final class TokenGrid {
  private final int rows;
  private final int width;
  private final NDArray real;
  private final NDArray slots;

  private TokenGrid(int rows, int width, NDArray real, NDArray slots) {
    this.rows = rows;
    this.width = width;
    this.real = real;
    this.slots = slots;
  }

  /**
   * The grid of a batch of {@code shape} (rows, width) whose row r holds {@code lengths[r]} tokens
   * and then padding; the index arrays belong to {@code m}.
   *
   * @throws IllegalArgumentException when the lengths do not fit the shape
   */
  static TokenGrid of(int[] lengths, Shape shape, NDManager m) {
    if (shape.dimension() != 2 || shape.get(0) != lengths.length) {
      throw new IllegalArgumentException(
          lengths.length + " lengths for a batch of shape " + shape + "; need one per row");
    }
    int width = Math.toIntExact(shape.get(1));
    int total = 0;
    for (int n : lengths) {
      if (n < 1 || n > width) {
        throw new IllegalArgumentException(
            "a row length of " + n + " in a batch " + width + " wide; need 1 to " + width);
      }
      total += n;
    }
    long[] real = new long[total];
    long[] slots = new long[lengths.length * width];
    int next = 0;
    for (int r = 0; r < lengths.length; r++) {
      int first = next;
      for (int c = 0; c < width; c++) {
        if (c < lengths[r]) {
          real[next] = (long) r * width + c;
          next++;
        }
        slots[r * width + c] = first + Math.min(c, lengths[r] - 1);
      }
    }
    return new TokenGrid(
        lengths.length,
        width,
        m.create(real, new Shape(total)),
        m.create(slots, new Shape(slots.length)));
  }

  int rows() {
    return rows;
  }

  int width() {
    return width;
  }

  /** The grid positions of the real tokens, (tokens) int64. */
  NDArray real() {
    return real;
  }

  /** (tokens, features) of the real tokens → (rows · width, features) on the grid. */
  NDArray spread(NDArray tokens) {
    return Embedding.embedding(slots, tokens, SparseFormat.DENSE).singletonOrThrow();
  }

  /** (rows, width, features) on the grid → (tokens, features) of the real tokens. */
  NDArray gather(NDArray grid) {
    NDArray flat = grid.reshape(grid.getShape().get(0) * grid.getShape().get(1), -1);
    return Embedding.embedding(real, flat, SparseFormat.DENSE).singletonOrThrow();
  }
}
