package io.ascribe.core.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class FeeAuthorisationTest {
  private static final PrivateKey USER = PrivateKey.fromHex("0x" + "11".repeat(31) + "01");
  private static final Address EXECUTOR = Address.fromHex("0x" + "22".repeat(20));
  private static final Hash REQUEST = Hash.fromHex("0x" + "33".repeat(32));

  private static FeeAuthorisation authorisation(Address user) {
    return new FeeAuthorisation(
        4242, user, EXECUTOR, 7, BigInteger.TEN.pow(16), BigInteger.TEN.pow(18), REQUEST);
  }

  @Test
  void digestIsTheEip712TypedDataHashAWalletSigns() {
    // Computed with web3j's StructuredDataEncoder (an independent EIP-712 implementation) from
    // the typed data {types: EIP712Domain(name, version, chainId), InferenceFee(...)}, domain
    // {name: "Ascribe", version: "1", chainId: 4242} and this message.
    FeeAuthorisation auth = authorisation(Address.fromHex("0x" + "11".repeat(20)));
    assertThat(FeeAuthorisation.domainSeparator(4242))
        .isEqualTo(
            Hash.fromHex("0xe53fed33781852bfbec33a8cba56c4d80dbc400cafb901795fef7eeaf617d8b7"));
    assertThat(auth.digest())
        .isEqualTo(
            Hash.fromHex("0x8445b901090915ca9d48d61554d4f0b814999a32523ddf107daadeb24b04bf31"));
  }

  @Test
  void theUsersSignatureRecoversToTheUserAndAnyChangedFieldToSomeoneElse() {
    FeeAuthorisation auth = authorisation(USER.address());
    Signature signature = auth.sign(USER);
    assertThat(auth.signer(signature)).isEqualTo(USER.address());

    Address other = Address.fromHex("0x" + "44".repeat(20));
    for (FeeAuthorisation changed :
        new FeeAuthorisation[] {
          new FeeAuthorisation(
              4243, USER.address(), EXECUTOR, 7, auth.fee(), auth.feeLimit(), REQUEST),
          new FeeAuthorisation(
              4242, USER.address(), other, 7, auth.fee(), auth.feeLimit(), REQUEST),
          new FeeAuthorisation(
              4242, USER.address(), EXECUTOR, 8, auth.fee(), auth.feeLimit(), REQUEST),
          new FeeAuthorisation(
              4242, USER.address(), EXECUTOR, 7, BigInteger.ONE, auth.feeLimit(), REQUEST),
          new FeeAuthorisation(4242, USER.address(), EXECUTOR, 7, auth.fee(), Amount.MAX, REQUEST),
          new FeeAuthorisation(
              4242, USER.address(), EXECUTOR, 7, auth.fee(), auth.feeLimit(), Hash.ZERO)
        }) {
      assertThat(changed.digest()).isNotEqualTo(auth.digest());
      assertThat(changed.signer(signature)).isNotEqualTo(USER.address());
    }
  }

  @Test
  void theWireFormCarriesWhatTheUserSignedAndTheSignature() {
    FeeAuthorisation auth = authorisation(USER.address());
    var wire = auth.signed(USER);
    assertThat(wire.getUser().toByteArray()).isEqualTo(USER.address().toArray());
    assertThat(wire.getNonce()).isEqualTo(7);
    assertThat(Amount.decode(wire.getFee().toByteArray(), "fee")).isEqualTo(auth.fee());
    assertThat(Amount.decode(wire.getFeeLimit().toByteArray(), "limit")).isEqualTo(auth.feeLimit());
    assertThat(auth.signer(Signature.fromBytes(wire.getSignature().toByteArray())))
        .isEqualTo(USER.address());
  }

  @Test
  void onlyTheUsersKeyMaySign() {
    PrivateKey stranger = PrivateKey.fromHex("0x" + "55".repeat(32));
    assertThatThrownBy(() -> authorisation(USER.address()).sign(stranger))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "fee authorisation for " + USER.address() + " must be signed with that user's key");
  }
}
