package io.ascribe.core.block;

/**
 * How large a transaction and a block's transactions may be. Every proposal carries its block in
 * one p2p frame, block sync sends at least one block per response and transactions are gossiped in
 * batches, and a peer that sends a frame over the transport's 4 MiB limit is charged and cut off:
 * so no honest node may ever have to send a block or a transaction that does not fit. A block's
 * transactions stay under 3 MiB, leaving room for its header, its commit's signatures and the
 * message around them; one transaction stays under 1 MiB (the largest the AI ledger needs, a tuning
 * result scoring tens of thousands of contributions, is a few hundred KiB).
 */
public final class BlockLimits {
  /** The largest signed transaction envelope, in bytes. */
  public static final int MAX_TX_BYTES = 1024 * 1024;

  /** The most bytes of transaction envelopes one block carries. */
  public static final int MAX_BLOCK_TX_BYTES = 3 * 1024 * 1024;

  private BlockLimits() {}
}
