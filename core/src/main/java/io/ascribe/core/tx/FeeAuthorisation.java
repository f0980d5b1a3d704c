package io.ascribe.core.tx;

import com.google.protobuf.ByteString;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.merkle.AbiEncoding;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * A user's consent to pay {@code fee} for one inference request ({@code requestHash}) served by
 * {@code executor}, signed with the user's own key apart from any transaction: the executor carries
 * it inside its receipt batch, and the ledger charges the user only what the user signed. What is
 * signed is EIP-712 typed data, so a wallet can show it field by field ({@code
 * eth_signTypedData_v4}): the struct {@value #TYPE} in the domain {@code EIP712Domain(string
 * name,string version,uint256 chainId)} = ("Ascribe", "1", chain id), digest keccak256(0x1901 ‖
 * domainSeparator ‖ hashStruct). {@code nonce} is the user's own authorisation nonce, not its
 * account nonce, and {@code feeLimit} caps the user's cumulative inference spending, this fee
 * included.
 */
public record FeeAuthorisation(
    long chainId,
    Address user,
    Address executor,
    long nonce,
    BigInteger fee,
    BigInteger feeLimit,
    Hash requestHash) {

  public static final String TYPE =
      "InferenceFee(address user,address executor,uint64 nonce,uint256 fee,uint256 feeLimit,"
          + "bytes32 requestHash)";
  public static final String DOMAIN_NAME = "Ascribe";
  public static final String DOMAIN_VERSION = "1";

  private static final Hash TYPE_HASH = keccak(TYPE);
  private static final Hash DOMAIN_TYPE_HASH =
      keccak("EIP712Domain(string name,string version,uint256 chainId)");
  private static final byte[] PREFIX = {0x19, 0x01};

  public FeeAuthorisation {
    if (fee.signum() < 0 || feeLimit.signum() < 0) {
      throw new IllegalArgumentException("a fee and a fee limit cannot be negative");
    }
  }

  /** The EIP-712 domain separator of chain {@code chainId}. */
  public static Hash domainSeparator(long chainId) {
    return Keccak.hash(
        AbiEncoding.encode(
            DOMAIN_TYPE_HASH.toArray(),
            keccak(DOMAIN_NAME).toArray(),
            keccak(DOMAIN_VERSION).toArray(),
            AbiEncoding.uint256(unsigned(chainId))));
  }

  /** hashStruct(InferenceFee(user, executor, nonce, fee, feeLimit, requestHash)). */
  public Hash structHash() {
    return Keccak.hash(
        AbiEncoding.encode(
            TYPE_HASH.toArray(),
            AbiEncoding.address(user),
            AbiEncoding.address(executor),
            AbiEncoding.uint256(unsigned(nonce)),
            AbiEncoding.uint256(fee),
            AbiEncoding.uint256(feeLimit),
            requestHash.toArray()));
  }

  /** The digest the user signs. */
  public Hash digest() {
    return Keccak.hash(PREFIX, domainSeparator(chainId).toArray(), structHash().toArray());
  }

  /**
   * Signs as the user.
   *
   * @throws IllegalArgumentException when {@code key} is not the user's
   */
  public Signature sign(PrivateKey key) {
    if (!key.address().equals(user)) {
      throw new IllegalArgumentException(
          "fee authorisation for " + user + " must be signed with that user's key");
    }
    return key.sign(digest());
  }

  /**
   * The account that signed this authorisation with {@code signature}.
   *
   * @throws IllegalArgumentException when the signature matches no key
   */
  public Address signer(Signature signature) {
    return Secp256k1.recoverAddress(digest(), signature);
  }

  /**
   * The wire form an executor puts in its receipt (the chain, executor and request are implied).
   */
  public io.ascribe.core.proto.FeeAuthorisation toProto(Signature signature) {
    return io.ascribe.core.proto.FeeAuthorisation.newBuilder()
        .setUser(ByteString.copyFrom(user.toArray()))
        .setNonce(nonce)
        .setFee(ByteString.copyFrom(Amount.encode(fee)))
        .setFeeLimit(ByteString.copyFrom(Amount.encode(feeLimit)))
        .setSignature(ByteString.copyFrom(signature.toBytes()))
        .build();
  }

  /** Signs as the user and returns the wire form: what a user's wallet hands its executor. */
  public io.ascribe.core.proto.FeeAuthorisation signed(PrivateKey key) {
    return toProto(sign(key));
  }

  private static BigInteger unsigned(long value) {
    return new BigInteger(Long.toUnsignedString(value));
  }

  private static Hash keccak(String text) {
    return Keccak.hash(text.getBytes(StandardCharsets.UTF_8));
  }
}
