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
}
