package io.ascribe.node.rpc;

/**
 * Which block a query is about, in the forms Ethereum tools send: the tag {@code "latest"}, the tag
 * {@code "earliest"} (the genesis block) or a block number as a hex quantity. The RPC layer only
 * parses it; the node decides what each means for its chain.
 */
public sealed interface BlockTag {
  Latest LATEST = new Latest();
  Earliest EARLIEST = new Earliest();

  /** The newest committed block. */
  record Latest() implements BlockTag {}

  /** The genesis block. */
  record Earliest() implements BlockTag {}

  /** The block at this height. */
  record Number(long number) implements BlockTag {
    public Number {
      if (number < 0) {
        throw new IllegalArgumentException("a block number is not negative, got " + number);
      }
    }
  }
}
