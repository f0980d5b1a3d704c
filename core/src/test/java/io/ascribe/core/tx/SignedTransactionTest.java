package io.ascribe.core.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.SignedTx;
import io.ascribe.core.proto.Stake;
import io.ascribe.core.proto.Transfer;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import org.junit.jupiter.api.Test;

class SignedTransactionTest {
  // Anvil's first two well-known dev keys.
  private static final PrivateKey ALICE =
      PrivateKey.fromHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  private static final Address BOB = Address.fromHex("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

  private static TxBody transfer(long nonce) {
    return TxBody.newBuilder()
        .setChainId(7)
        .setNonce(nonce)
        .setFee(ByteString.copyFrom(Amount.encode(Amount.parseOpen("0.001"))))
        .setTransfer(
            Transfer.newBuilder()
                .setTo(ByteString.copyFrom(BOB.toArray()))
                .setAmount(ByteString.copyFrom(Amount.encode(Amount.parseOpen("1.5")))))
        .build();
  }

  @Test
  void signEncodeDecodeRecoversTheSender() {
    SignedTransaction signed = SignedTransaction.sign(transfer(3), ALICE);
    SignedTransaction decoded = SignedTransaction.decode(signed.encoded());

    assertThat(decoded.sender()).isEqualTo(ALICE.address());
    assertThat(decoded.body()).isEqualTo(transfer(3));
    assertThat(decoded.hash()).isEqualTo(signed.hash()).isEqualTo(Keccak.hash(signed.encoded()));
    assertThat(decoded.size()).isEqualTo(signed.encoded().length);
    assertThat(SignedTransaction.decode(signed.envelope()).hash()).isEqualTo(signed.hash());
  }

  @Test
  void signingIsDeterministic() {
    // RFC 6979 nonces: the same body and key always give the same bytes, hence the same hash.
    assertThat(SignedTransaction.sign(transfer(3), ALICE).encoded())
        .isEqualTo(SignedTransaction.sign(transfer(3), ALICE).encoded());
    assertThat(SignedTransaction.sign(transfer(4), ALICE).hash())
        .isNotEqualTo(SignedTransaction.sign(transfer(3), ALICE).hash());
  }

  @Test
  void encodedIsADefensiveCopy() {
    SignedTransaction signed = SignedTransaction.sign(transfer(1), ALICE);
    byte[] bytes = signed.encoded();
    bytes[0] ^= 1;
    assertThat(signed.encoded()).isNotEqualTo(bytes);
  }

  @Test
  void tamperedBodyRecoversAnotherSenderOrNone() {
    SignedTransaction signed = SignedTransaction.sign(transfer(3), ALICE);
    for (long nonce = 4; nonce < 20; nonce++) {
      byte[] forged =
          signed.envelope().toBuilder()
              .setBody(transfer(nonce).toByteString())
              .build()
              .toByteArray();
      SignedTransaction decoded = SignedTransaction.decode(forged);
      Address recovered;
      try {
        recovered = decoded.sender();
      } catch (IllegalArgumentException noKey) {
        recovered = null;
      }
      assertThat(recovered).isNotEqualTo(ALICE.address());
    }
  }

  @Test
  void malformedEnvelopeIsRejected() {
    assertThatThrownBy(() -> SignedTransaction.decode(new byte[] {(byte) 0xff, (byte) 0xff}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed transaction envelope");
  }

  @Test
  void malformedBodyIsRejected() {
    SignedTx envelope =
        SignedTx.newBuilder()
            .setBody(ByteString.copyFrom(new byte[] {0x0a, 0x05, 0x01}))
            .setSignature(SignedTransaction.sign(transfer(1), ALICE).envelope().getSignature())
            .build();
    assertThatThrownBy(() -> SignedTransaction.decode(envelope))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed transaction body");
  }

  @Test
  void bodyWithoutKindIsRejected() {
    TxBody noKind = transfer(1).toBuilder().clearKind().build();
    SignedTransaction signed = SignedTransaction.sign(noKind, ALICE);
    assertThatThrownBy(() -> SignedTransaction.decode(signed.encoded()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no kind");
  }

  @Test
  void nonCanonicalSignatureIsRejectedAtDecode() {
    SignedTx envelope =
        SignedTransaction.sign(transfer(1), ALICE).envelope().toBuilder()
            .setSignature(ByteString.copyFrom(new byte[64]))
            .build();
    assertThatThrownBy(() -> SignedTransaction.decode(envelope))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65 bytes");
  }

  @Test
  void everyKindRoundTrips() {
    TxBody stake =
        TxBody.newBuilder()
            .setChainId(7)
            .setNonce(0)
            .setStake(
                Stake.newBuilder().setAmount(ByteString.copyFrom(Amount.encode(Amount.ONE_OPEN))))
            .build();
    SignedTransaction decoded =
        SignedTransaction.decode(SignedTransaction.sign(stake, ALICE).encoded());
    assertThat(decoded.body().getKindCase()).isEqualTo(TxBody.KindCase.STAKE);
    assertThat(decoded.sender()).isEqualTo(ALICE.address());
  }
}
