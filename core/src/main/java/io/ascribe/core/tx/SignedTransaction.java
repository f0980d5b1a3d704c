package io.ascribe.core.tx;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.proto.SignedTx;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.nio.charset.StandardCharsets;

/**
 * A decoded transaction envelope. The signature covers keccak256("ascribe/tx/v1" ‖ body) where body
 * is the exact byte string carried in the envelope; the transaction hash is keccak256 of the whole
 * envelope. Decoding checks structure only; {@link #sender()} does the costly recovery.
 */
public final class SignedTransaction {
  private static final byte[] DOMAIN = "ascribe/tx/v1".getBytes(StandardCharsets.US_ASCII);

  private final byte[] encoded;
  private final SignedTx envelope;
  private final TxBody body;
  private final Signature signature;
  private final Hash hash;
  private volatile Address sender;

  private SignedTransaction(byte[] encoded, SignedTx envelope, TxBody body, Signature signature) {
    this.encoded = encoded;
    this.envelope = envelope;
    this.body = body;
    this.signature = signature;
    this.hash = Keccak.hash(encoded);
  }

  /**
   * Decodes envelope bytes.
   *
   * @throws IllegalArgumentException saying what is malformed
   */
  public static SignedTransaction decode(byte[] encoded) {
    SignedTx envelope;
    TxBody body;
    try {
      envelope = SignedTx.parseFrom(encoded);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed transaction envelope: " + e.getMessage());
    }
    try {
      body = TxBody.parseFrom(envelope.getBody());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed transaction body: " + e.getMessage());
    }
    if (body.getKindCase() == TxBody.KindCase.KIND_NOT_SET) {
      throw new IllegalArgumentException("transaction body has no kind (transfer, stake, ...)");
    }
    Signature signature = Signature.fromBytes(envelope.getSignature().toByteArray());
    return new SignedTransaction(encoded.clone(), envelope, body, signature);
  }

  public static SignedTransaction decode(SignedTx envelope) {
    return decode(envelope.toByteArray());
  }

  /** Signs {@code body} with {@code key}. */
  public static SignedTransaction sign(TxBody body, PrivateKey key) {
    ByteString bodyBytes = body.toByteString();
    Signature signature = key.sign(signingDigest(bodyBytes));
    SignedTx envelope =
        SignedTx.newBuilder()
            .setBody(bodyBytes)
            .setSignature(ByteString.copyFrom(signature.toBytes()))
            .build();
    SignedTransaction tx = new SignedTransaction(envelope.toByteArray(), envelope, body, signature);
    tx.sender = key.address();
    return tx;
  }

  static Hash signingDigest(ByteString bodyBytes) {
    return Keccak.hash(DOMAIN, bodyBytes.toByteArray());
  }

  /**
   * The signer, recovered from the signature once and then cached.
   *
   * @throws IllegalArgumentException when the signature matches no key
   */
  public Address sender() {
    Address known = sender;
    if (known == null) {
      known = Secp256k1.recoverAddress(signingDigest(envelope.getBody()), signature);
      sender = known;
    }
    return known;
  }

  public Hash hash() {
    return hash;
  }

  public TxBody body() {
    return body;
  }

  public SignedTx envelope() {
    return envelope;
  }

  public byte[] encoded() {
    return encoded.clone();
  }

  public int size() {
    return encoded.length;
  }

  @Override
  public String toString() {
    return "Tx(" + hash + ", " + body.getKindCase() + ", nonce " + body.getNonce() + ")";
  }
}
