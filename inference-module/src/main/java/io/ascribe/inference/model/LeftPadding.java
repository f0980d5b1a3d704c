package io.ascribe.inference.model;

import java.util.Arrays;

/**
 * How a batch of sequences of different lengths is laid out for {@link LlamaModel#forward}: row r
 * starts with {@code columns[r]} padding columns, then its tokens, so every row's newest token is
 * in the last column (what batched generation feeds and reads). Padding is masked out of every real
 * token's attention and each row's positions start at its first real token, so a row's logits are
 * those it gets alone. Left and not right padding because generation appends to every row at once.
 */
public record LeftPadding(int[] columns) {
  public LeftPadding {
    columns = columns.clone();
    if (columns.length == 0) {
      throw new IllegalArgumentException("a batch needs at least one row");
    }
    for (int c : columns) {
      if (c < 0) {
        throw new IllegalArgumentException("padding must be ≥ 0, got " + Arrays.toString(columns));
      }
    }
  }

  /** Rows in the batch. */
  public int rows() {
    return columns.length;
  }

  /** Padding columns of row {@code row}. */
  public int of(int row) {
    return columns[row];
  }

  /** The least padding of any row: that row's tokens reach furthest into the context. */
  public int min() {
    return Arrays.stream(columns).min().orElseThrow();
  }

  /** The padding of the rows {@code rows} (in that order), for a batch that drops the others. */
  public LeftPadding keep(int[] rows) {
    int[] kept = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      kept[i] = columns[rows[i]];
    }
    return new LeftPadding(kept);
  }

  @Override
  public int[] columns() {
    return columns.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LeftPadding p && Arrays.equals(columns, p.columns);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(columns);
  }

  @Override
  public String toString() {
    return "LeftPadding" + Arrays.toString(columns);
  }
}
