package io.ascribe.ledger.ai;

import io.ascribe.core.types.Hash;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a contribution was refused as a copy of one already in its datanet, as the receipt's error
 * says it. The ledger writes the message and clients read the existing contribution's id back from
 * the receipt with {@link #parse}; both forms live here so they cannot drift apart.
 */
public sealed interface CopyRefusal permits CopyRefusal.Exact, CopyRefusal.Near {

  /** The contribution already in the datanet that the new one copies. */
  Hash existing();

  /** The receipt error. */
  String message();

  /** Byte-for-byte the same content as {@code existing}. */
  record Exact(Hash contentHash, Hash existing) implements CopyRefusal {
    private static final Pattern FORM =
        Pattern.compile(
            "content (0x\\p{XDigit}{64}) is already contribution (0x\\p{XDigit}{64})"
                + " in this datanet");

    @Override
    public String message() {
      return "content " + contentHash + " is already contribution " + existing + " in this datanet";
    }
  }

  /** MinHash similarity to {@code existing} at or above the datanet's threshold. */
  record Near(Hash existing, int similarityBps, int thresholdBps) implements CopyRefusal {
    private static final Pattern FORM =
        Pattern.compile(
            "near duplicate of contribution (0x\\p{XDigit}{64}): MinHash similarity"
                + " (\\d+) bps is at or above the datanet's threshold (\\d+) bps");

    @Override
    public String message() {
      return "near duplicate of contribution "
          + existing
          + ": MinHash similarity "
          + similarityBps
          + " bps is at or above the datanet's threshold "
          + thresholdBps
          + " bps";
    }
  }

  /** The refusal a receipt error states, or empty for any other error. */
  static Optional<CopyRefusal> parse(String error) {
    Matcher exact = Exact.FORM.matcher(error);
    if (exact.matches()) {
      return Optional.of(new Exact(Hash.fromHex(exact.group(1)), Hash.fromHex(exact.group(2))));
    }
    Matcher near = Near.FORM.matcher(error);
    if (near.matches()) {
      return Optional.of(
          new Near(
              Hash.fromHex(near.group(1)),
              Integer.parseInt(near.group(2)),
              Integer.parseInt(near.group(3))));
    }
    return Optional.empty();
  }
}
