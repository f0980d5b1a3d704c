package io.ascribe.contracts.settlement;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.types.Hash;
import java.util.Comparator;
import java.util.List;

/**
 * Validator signatures in the form RewardDistributor takes them: 65 bytes r ‖ s ‖ v with v = 27 +
 * recovery id (what Solidity's ecrecover and OpenZeppelin's ECDSA expect), s low, and a list of
 * them in ascending order of signer address.
 */
public final class ValidatorSignatures {
  private ValidatorSignatures() {}

  /** Signs {@code digest} with {@code key} in the contract's 65-byte form. */
  public static byte[] sign(PrivateKey key, Hash digest) {
    return toEvm(key.sign(digest));
  }

  /** The 65-byte EVM form (v = 27 or 28) of a core signature. */
  public static byte[] toEvm(Signature signature) {
    byte[] bytes = signature.toBytes();
    bytes[64] = (byte) (27 + signature.recoveryId());
    return bytes;
  }

  /** Every key signs {@code digest}; the signatures come back ordered by signer address. */
  public static List<byte[]> signAll(List<PrivateKey> keys, Hash digest) {
    return keys.stream()
        .sorted(Comparator.comparing(PrivateKey::address))
        .map(key -> sign(key, digest))
        .toList();
  }
}
