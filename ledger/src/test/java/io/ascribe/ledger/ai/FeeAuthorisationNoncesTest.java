package io.ascribe.ledger.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.types.Address;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class FeeAuthorisationNoncesTest {
  private static final Address USER = Address.fromHex("0x" + "ab".repeat(20));

  @Test
  void eachNonceIsAcceptedOnceInAnyOrderWithinTheWindow() {
    FeeAuthorisationNonces n = FeeAuthorisationNonces.none(USER);
    for (long nonce : new long[] {5, 0, 255, 7, 6, 1}) {
      n = n.use(nonce, BigInteger.TEN);
    }
    assertThat(n.highest()).isEqualTo(255);
    assertThat(n.spent()).isEqualTo(BigInteger.valueOf(60));
    for (long nonce : new long[] {5, 0, 255, 7, 6, 1}) {
      FeeAuthorisationNonces record = n;
      assertThatThrownBy(() -> record.use(nonce, BigInteger.ONE))
          .hasMessage("authorisation nonce " + nonce + " was already used");
    }
    // 2, 3, 4 and 8 were never used and are still inside the window.
    assertThat(n.use(2, BigInteger.ONE).use(3, BigInteger.ONE).highest()).isEqualTo(255);
  }

  @Test
  void movingTheWindowForgetsNoncesBelowItAndRefusesThem() {
    FeeAuthorisationNonces n = FeeAuthorisationNonces.none(USER).use(3, BigInteger.ONE);
    n = n.use(258, BigInteger.ONE);
    // 3 is 255 below 258: still remembered as used.
    FeeAuthorisationNonces record = n;
    assertThatThrownBy(() -> record.use(3, BigInteger.ONE))
        .hasMessage("authorisation nonce 3 was already used");
    assertThatThrownBy(() -> record.use(2, BigInteger.ONE))
        .hasMessage(
            "authorisation nonce 2 is more than 256 below the user's highest used nonce 258: sign"
                + " the request again with a fresh nonce");
    // A jump further than the window keeps only the new nonce.
    FeeAuthorisationNonces far = n.use(10_000, BigInteger.ONE);
    assertThat(far.used()).isEqualTo(BigInteger.ONE);
    assertThat(far.use(9_999, BigInteger.ONE).highest()).isEqualTo(10_000);
    assertThatThrownBy(() -> far.use(-1, BigInteger.ONE))
        .hasMessage("authorisation nonce 18446744073709551615 is above 2^63 - 1");
  }

  @Test
  void theRecordRoundTripsThroughItsStoredForm() {
    FeeAuthorisationNonces n =
        FeeAuthorisationNonces.none(USER).use(300, BigInteger.TEN).use(299, BigInteger.TWO);
    assertThat(LedgerObject.decode(n.encode())).isEqualTo(n);
  }
}
