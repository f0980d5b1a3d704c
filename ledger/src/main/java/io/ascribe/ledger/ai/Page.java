package io.ascribe.ledger.ai;

import java.util.List;

/**
 * One page of a listing: the items from some offset on, and how many the whole listing holds.
 *
 * @param items at most the page size, in listing order
 * @param total every item in the listing, on every page
 */
public record Page<T>(List<T> items, int total) {
  public Page {
    items = List.copyOf(items);
  }

  /** The page of {@code all} that starts at {@code offset} and holds at most {@code limit}. */
  static <T> Page<T> slice(List<T> all, int offset, int limit) {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must not be negative");
    }
    int from = Math.min(offset, all.size());
    int to = (int) Math.min((long) from + limit, all.size());
    return new Page<>(all.subList(from, to), all.size());
  }
}
