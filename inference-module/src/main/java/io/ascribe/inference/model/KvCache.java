package io.ascribe.inference.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * The keys and values of every layer for the tokens a model has already seen, so generation feeds
 * one new token per step instead of the whole sequence. Keys are stored after the rotary embedding,
 * as (batch, kv heads, tokens, head dim); a batch's rows share one cache ({@link #keep} drops
 * rows). The cache owns its arrays; close it when the sequence is done.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private int length;

  KvCache(NDManager parent, int layers) {
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
  }

  /** Tokens cached so far. */
  public int length() {
    return length;
  }

  /** Appends one layer's new keys and values; returns all of them, cached ones first. */
  NDArray[] append(int layer, NDArray k, NDArray v) {
    keys[layer] = grow(keys[layer], k);
    values[layer] = grow(values[layer], v);
    return new NDArray[] {keys[layer], values[layer]};
  }

  private NDArray grow(NDArray old, NDArray fresh) {
    NDArray all = old == null ? fresh : old.concat(fresh, 2);
    all.attach(manager);
    if (old != null) {
      // Generation runs without gradients, so nothing else refers to the shorter copy.
      old.close();
    }
    return all;
  }

  /**
   * Keeps only the batch rows {@code rows} (in that order), dropping the others: a batched
   * generation drops the sequences that have finished, so the rest step without them.
   */
  public void keep(int[] rows) {
    for (int l = 0; l < keys.length; l++) {
      keys[l] = rows(keys[l], rows);
      values[l] = rows(values[l], rows);
    }
  }

  private NDArray rows(NDArray all, int[] rows) {
    if (all == null) {
      return null;
    }
    NDList parts = new NDList();
    for (int r : rows) {
      parts.add(all.get(new NDIndex("{}:{}", r, r + 1)));
    }
    NDArray kept = NDArrays.concat(parts, 0);
    kept.attach(manager);
    parts.close();
    all.close();
    return kept;
  }

  void advance(int tokens) {
    length += tokens;
  }

  @Override
  public void close() {
    manager.close();
  }
}
