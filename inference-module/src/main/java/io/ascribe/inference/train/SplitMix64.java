package io.ascribe.inference.train;

import java.util.List;

/**
 * Steele, Lea and Flood's SplitMix64: a 64-bit generator whose whole state is one long, so a
 * checkpoint can store it and a resumed run draws exactly what the uninterrupted run would have.
 */
final class SplitMix64 {
  private long state;

  SplitMix64(long state) {
    this.state = state;
  }

  long state() {
    return state;
  }

  long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, bound) by Lemire's multiply-shift (bias below 2^-32, irrelevant here). */
  int nextInt(int bound) {
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  /** Fisher-Yates in place. */
  <T> void shuffle(List<T> list) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  /** A well-mixed seed derived from {@code seed} and {@code index}, e.g. one per step. */
  static long derive(long seed, long index) {
    return new SplitMix64(seed ^ (index * 0xD1B54A32D192ED03L)).nextLong();
  }
}
