package io.ascribe.inference.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Where the real tokens of a right-padded batch go for the attention, so that a forward pass can
 * hold them as one (tokens, features) matrix without the padding and lay them out as grids of (rows
 * × width) only to attend. Rows of about the same length share a grid as wide as the longest of
 * them: the attention's cost grows with rows · width², so the short rows of a batch with a long one
 * go to a narrower grid of their own when that saves at least a quarter of it. {@link #real} lists
 * the batch positions (row · width + column) of the real tokens in row order; every grid position
 * {@link #spread} fills shows a real token, padding the last real token of its row (its values
 * never reach a real token: the causal mask hides later columns, and what padding queries attend to
 * is dropped by {@link #gather}).
 */
final class TokenGrid {
  /** A grid: {@code rows} sequences (padded to) {@code width} positions. */
  record Group(int rows, int width) {}

  private final int rows;
  private final int width;
  private final List<Group> groups;
  private final NDArray real;
  private final NDArray slots;
  private final NDArray places;

  private TokenGrid(
      int rows, int width, List<Group> groups, NDArray real, NDArray slots, NDArray places) {
    this.rows = rows;
    this.width = width;
    this.groups = groups;
    this.real = real;
    this.slots = slots;
    this.places = places;
  }

  /**
   * The grids of a batch of {@code shape} (rows, width) whose row r holds {@code lengths[r]} tokens
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
    int[] first = new int[lengths.length];
    int total = 0;
    for (int r = 0; r < lengths.length; r++) {
      int n = lengths[r];
      if (n < 1 || n > width) {
        throw new IllegalArgumentException(
            "a row length of " + n + " in a batch " + width + " wide; need 1 to " + width);
      }
      first[r] = total;
      total += n;
    }
    // Rows longest first (ties in row order, so the layout is a function of the lengths alone).
    Integer[] order = new Integer[lengths.length];
    Arrays.setAll(order, r -> r);
    Arrays.sort(order, Comparator.comparingInt((Integer r) -> -lengths[r]));
    int cut = cut(lengths, order);
    List<Group> groups = new ArrayList<>();
    groups.add(new Group(cut, lengths[order[0]]));
    if (cut < order.length) {
      groups.add(new Group(order.length - cut, lengths[order[cut]]));
    }
    long[] real = new long[total];
    long[] places = new long[total];
    List<Long> slots = new ArrayList<>();
    int at = 0;
    for (int i = 0; i < order.length; i++) {
      int r = order[i];
      int w = i < cut ? groups.get(0).width() : groups.get(1).width();
      for (int c = 0; c < w; c++) {
        if (c < lengths[r]) {
          places[first[r] + c] = at + c;
        }
        slots.add((long) first[r] + Math.min(c, lengths[r] - 1));
      }
      at += w;
    }
    for (int r = 0; r < lengths.length; r++) {
      for (int c = 0; c < lengths[r]; c++) {
        real[first[r] + c] = (long) r * width + c;
      }
    }
    long[] s = slots.stream().mapToLong(Long::longValue).toArray();
    return new TokenGrid(
        lengths.length,
        width,
        List.copyOf(groups),
        m.create(real, new Shape(total)),
        m.create(s, new Shape(s.length)),
        m.create(places, new Shape(total)));
  }

  // How many of the rows (longest first) go to the first grid: all of them, unless a second,
  // narrower grid for the rest saves at least a quarter of rows · width².
  private static int cut(int[] lengths, Integer[] order) {
    long widest = lengths[order[0]];
    long one = order.length * widest * widest;
    int best = order.length;
    long bestCost = one;
    for (int i = 1; i < order.length; i++) {
      long w = lengths[order[i]];
      long cost = i * widest * widest + (order.length - i) * w * w;
      if (cost < bestCost) {
        best = i;
        bestCost = cost;
      }
    }
    return 4 * bestCost <= 3 * one ? best : order.length;
  }

  int rows() {
    return rows;
  }

  int width() {
    return width;
  }

  /** The grids, in the order {@link #spread} returns them. */
  List<Group> groups() {
    return groups;
  }

  /** The batch positions of the real tokens, (tokens) int64. */
  NDArray real() {
    return real;
  }

  /** (tokens, features) of the real tokens → one (rows · width, features) array per grid. */
  NDList spread(NDArray tokens) {
    NDArray all = Embedding.embedding(slots, tokens, SparseFormat.DENSE).singletonOrThrow();
    // The lookup's result belongs to the grid's manager; like any op's, it goes to its input's.
    all.attach(tokens.getManager());
    if (groups.size() == 1) {
      return new NDList(all);
    }
    Group g = groups.get(0);
    return all.split(new long[] {(long) g.rows() * g.width()}, 0);
  }

  /** One (rows, width, features) array per grid → (tokens, features) of the real tokens. */
  NDArray gather(NDList grids) {
    NDList flat = new NDList();
    for (NDArray grid : grids) {
      flat.add(grid.reshape(grid.getShape().get(0) * grid.getShape().get(1), -1));
    }
    NDArray all = flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat, 0);
    NDArray tokens = Embedding.embedding(places, all, SparseFormat.DENSE).singletonOrThrow();
    tokens.attach(all.getManager());
    return tokens;
  }
}
