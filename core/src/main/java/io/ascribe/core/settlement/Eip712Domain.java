package io.ascribe.core.settlement;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.merkle.AbiEncoding;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * An EIP-712 signing domain (name, version, chainId, verifyingContract), as OpenZeppelin's {@code
 * EIP712} builds it, and the digests signed under it: keccak256(0x1901 ‖ domainSeparator ‖
 * structHash).
 */
public record Eip712Domain(String name, String version, long chainId, Address verifyingContract) {
  public static final Hash TYPE_HASH =
      Keccak.hash(
          ("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
              .getBytes(StandardCharsets.UTF_8));

  private static final byte[] PREFIX = {0x19, 0x01};

  /** The domain of a RewardDistributor at {@code distributor} on chain {@code chainId}. */
  public static Eip712Domain rewardDistributor(long chainId, Address distributor) {
    return new Eip712Domain("Ascribe RewardDistributor", "1", chainId, distributor);
  }

  /** The domain of an OpenBridge at {@code bridge} on chain {@code chainId}. */
  public static Eip712Domain openBridge(long chainId, Address bridge) {
    return new Eip712Domain("Ascribe OpenBridge", "1", chainId, bridge);
  }

  public Hash separator() {
    return Keccak.hash(
        AbiEncoding.encode(
            TYPE_HASH.toArray(),
            Keccak.hash(name.getBytes(StandardCharsets.UTF_8)).toArray(),
            Keccak.hash(version.getBytes(StandardCharsets.UTF_8)).toArray(),
            AbiEncoding.uint256(BigInteger.valueOf(chainId)),
            AbiEncoding.address(verifyingContract)));
  }

  /** The digest a signer signs for a struct whose EIP-712 hashStruct is {@code structHash}. */
  public Hash digest(Hash structHash) {
    return Keccak.hash(PREFIX, separator().toArray(), structHash.toArray());
  }
}
