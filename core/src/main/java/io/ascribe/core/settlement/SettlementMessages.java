package io.ascribe.core.settlement;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.merkle.AbiEncoding;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The EIP-712 structs Ascribe's validators sign for RewardDistributor and OpenBridge, hashed as the
 * contracts hash them.
 */
public final class SettlementMessages {
  public static final Hash EPOCH_ROOT_TYPEHASH =
      typeHash("EpochRoot(uint64 epoch,bytes32 rewardsRoot,bytes32 validatorSetHash)");
  public static final Hash VALIDATOR_SET_UPDATE_TYPEHASH =
      typeHash("ValidatorSetUpdate(uint64 nonce,bytes32 newValidatorSetHash)");

  public static final Hash WITHDRAWAL_ROOT_TYPEHASH =
      typeHash("WithdrawalRoot(uint64 epoch,bytes32 withdrawalsRoot,bytes32 validatorSetHash)");

  private SettlementMessages() {}

  /** hashStruct(WithdrawalRoot(epoch, withdrawalsRoot, validatorSetHash)). */
  public static Hash withdrawalRoot(long epoch, Hash withdrawalsRoot, Hash validatorSetHash) {
    return Keccak.hash(
        AbiEncoding.encode(
            WITHDRAWAL_ROOT_TYPEHASH.toArray(),
            uint64(epoch),
            withdrawalsRoot.toArray(),
            validatorSetHash.toArray()));
  }

  /** The digest validators sign to accept {@code withdrawalsRoot} at an OpenBridge. */
  public static Hash withdrawalRootDigest(
      Eip712Domain bridgeDomain, long epoch, Hash withdrawalsRoot, Hash validatorSetHash) {
    return bridgeDomain.digest(withdrawalRoot(epoch, withdrawalsRoot, validatorSetHash));
  }

  /** hashStruct(EpochRoot(epoch, rewardsRoot, validatorSetHash)). */
  public static Hash epochRoot(long epoch, Hash rewardsRoot, Hash validatorSetHash) {
    return Keccak.hash(
        AbiEncoding.encode(
            EPOCH_ROOT_TYPEHASH.toArray(),
            uint64(epoch),
            rewardsRoot.toArray(),
            validatorSetHash.toArray()));
  }

  /** hashStruct(ValidatorSetUpdate(nonce, newValidatorSetHash)). */
  public static Hash validatorSetUpdate(long nonce, Hash newValidatorSetHash) {
    return Keccak.hash(
        AbiEncoding.encode(
            VALIDATOR_SET_UPDATE_TYPEHASH.toArray(), uint64(nonce), newValidatorSetHash.toArray()));
  }

  /** The digest validators sign to accept {@code rewardsRoot} for {@code epoch}. */
  public static Hash epochRootDigest(
      Eip712Domain domain, long epoch, Hash rewardsRoot, Hash validatorSetHash) {
    return domain.digest(epochRoot(epoch, rewardsRoot, validatorSetHash));
  }

  /** The digest the current set signs to hand over to {@code next}. */
  public static Hash validatorSetUpdateDigest(Eip712Domain domain, long nonce, ValidatorSet next) {
    return domain.digest(validatorSetUpdate(nonce, next.hash()));
  }

  private static byte[] uint64(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("a uint64 here must be non-negative, got " + value);
    }
    return AbiEncoding.uint256(BigInteger.valueOf(value));
  }

  private static Hash typeHash(String type) {
    return Keccak.hash(type.getBytes(StandardCharsets.UTF_8));
  }
}
