package io.ascribe.core.crypto.hd;

import java.util.ArrayList;
import java.util.List;

/**
 * A BIP-32 derivation path such as {@code m/44'/60'/0'/0/0}: the child indices to follow from the
 * master key. Each index is a 32-bit unsigned number held in an {@code int}; hardened indices have
 * the top bit set ({@link #HARDENED}), which Java shows as a negative value. Text form marks a
 * hardened index with {@code '} (also accepted: {@code h} or {@code H}).
 *
 * @param indices child indices from the master key, hardened ones with {@link #HARDENED} set
 */
public record DerivationPath(List<Integer> indices) {
  /** The bit that marks a hardened child index. */
  public static final int HARDENED = 0x8000_0000;

  public DerivationPath {
    indices = List.copyOf(indices);
  }

  /**
   * The BIP-44 path of Ethereum account {@code addressIndex}: {@code m/44'/60'/0'/0/addressIndex},
   * the one MetaMask, Foundry's anvil and Hardhat use.
   */
  public static DerivationPath ethereum(int addressIndex) {
    if (addressIndex < 0) {
      throw new IllegalArgumentException("address index must not be negative: " + addressIndex);
    }
    return new DerivationPath(List.of(44 | HARDENED, 60 | HARDENED, HARDENED, 0, addressIndex));
  }

  /**
   * Parses {@code m/...}; each segment is a decimal index below 2^31, optionally followed by {@code
   * '}, {@code h} or {@code H} for hardened. {@code m} alone is the master key.
   *
   * @throws IllegalArgumentException naming the offending segment
   */
  public static DerivationPath parse(String text) {
    String[] segments = text.split("/", -1);
    if (!segments[0].equals("m")) {
      throw new IllegalArgumentException("a derivation path starts with \"m\": \"" + text + "\"");
    }
    List<Integer> indices = new ArrayList<>();
    for (int i = 1; i < segments.length; i++) {
      indices.add(parseIndex(segments[i], text));
    }
    return new DerivationPath(indices);
  }

  private static int parseIndex(String segment, String path) {
    boolean hardened = segment.endsWith("'") || segment.endsWith("h") || segment.endsWith("H");
    String digits = hardened ? segment.substring(0, segment.length() - 1) : segment;
    // Only plain ASCII digits (Long.parseLong would also take "+5" and non-ASCII digits), and at
    // most ten of them, so the parse below cannot overflow.
    if (digits.isEmpty()
        || digits.length() > 10
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          "derivation path \"" + path + "\" has a bad segment \"" + segment + "\"");
    }
    long index = Long.parseLong(digits);
    if (index >= 1L << 31) {
      throw new IllegalArgumentException(
          "derivation path \""
              + path
              + "\": index "
              + index
              + " is too large (at most 2^31-1; mark hardened indices with ')");
    }
    return hardened ? (int) index | HARDENED : (int) index;
  }

  /** The text form, hardened indices marked with {@code '}. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("m");
    for (int index : indices) {
      out.append('/').append(index & ~HARDENED);
      if ((index & HARDENED) != 0) {
        out.append('\'');
      }
    }
    return out.toString();
  }
}
