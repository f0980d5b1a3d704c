package io.ascribe.node.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.FeeAuthorisation;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeeCheckTest {
  private static final Genesis GENESIS = DevnetGenesis.create();
  private static final PrivateKey USER = DevnetGenesis.devAccounts().get(3);
  private static final PrivateKey EXECUTOR = DevnetGenesis.devAccounts().get(0);
  private static final Hash REQUEST = Keccak.hash(new byte[] {1});
  private static final BigInteger FEE = BigInteger.TEN.pow(16);
  private static final BigInteger LIMIT = FEE.multiply(BigInteger.valueOf(3));

  @TempDir Path dir;
  private Ledger ledger;
  private FeeCheck check;

  @BeforeEach
  void open() {
    ledger = Ledger.open(dir, GENESIS);
    check = new FeeCheck(ledger, EXECUTOR.address());
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private static io.ascribe.core.proto.FeeAuthorisation signed(
      PrivateKey signer, Address executor, long nonce, BigInteger fee, BigInteger limit) {
    FeeAuthorisation a =
        new FeeAuthorisation(
            GENESIS.chainId(), USER.address(), executor, nonce, fee, limit, REQUEST);
    return a.toProto(a.sign(signer));
  }

  @Test
  void aUsersAuthorisationForThisExecutorAndRequestPasses() {
    FeeAuthorisation a =
        check.check(signed(USER, EXECUTOR.address(), 1, FEE, LIMIT), REQUEST, List.of());

    assertThat(a.user()).isEqualTo(USER.address());
    assertThat(a.fee()).isEqualTo(FEE);
  }

  @Test
  void anAuthorisationForAnotherRequestOrExecutorIsRefused() {
    var forOther = signed(USER, DevnetGenesis.devAccounts().get(1).address(), 1, FEE, LIMIT);
    assertThatThrownBy(() -> check.check(forOther, REQUEST, List.of()))
        .hasMessageContaining("not signed by its user")
        .hasMessageContaining(EXECUTOR.address().toString());
    var good = signed(USER, EXECUTOR.address(), 1, FEE, LIMIT);
    assertThatThrownBy(() -> check.check(good, Keccak.hash(new byte[] {2}), List.of()))
        .hasMessageContaining("not signed by its user");
  }

  @Test
  void aFeeBelowTheMinimumIsRefusedNamingIt() {
    var cheap = signed(USER, EXECUTOR.address(), 1, FEE.subtract(BigInteger.ONE), LIMIT);
    assertThatThrownBy(() -> check.check(cheap, REQUEST, List.of()))
        .hasMessageContaining("below the minimum request fee")
        .hasMessageContaining(Amount.formatOpen(FEE));
  }

  @Test
  void aNonceHeldUnpostedCannotBeUsedAgain() {
    var first = signed(USER, EXECUTOR.address(), 7, FEE, LIMIT);
    var reused = signed(USER, EXECUTOR.address(), 7, FEE, LIMIT);
    assertThatThrownBy(() -> check.check(reused, REQUEST, List.of(first)))
        .hasMessageContaining("nonce 7 was already used")
        .hasMessageContaining("fresh nonce");
  }

  @Test
  void spendingHeldUnpostedCountsTowardsTheLimit() {
    List<io.ascribe.core.proto.FeeAuthorisation> held =
        List.of(
            signed(USER, EXECUTOR.address(), 1, FEE, LIMIT),
            signed(USER, EXECUTOR.address(), 2, FEE, LIMIT));
    check.check(signed(USER, EXECUTOR.address(), 3, FEE, LIMIT), REQUEST, held);

    List<io.ascribe.core.proto.FeeAuthorisation> more =
        List.of(held.get(0), held.get(1), signed(USER, EXECUTOR.address(), 3, FEE, LIMIT));
    assertThatThrownBy(
            () -> check.check(signed(USER, EXECUTOR.address(), 4, FEE, LIMIT), REQUEST, more))
        .hasMessageContaining("over the limit")
        .hasMessageContaining("sign a higher fee limit");
  }

  @Test
  void aFeeTheBalanceCannotPayIsRefused() {
    BigInteger huge = ledger.account(USER.address()).balance().add(BigInteger.ONE);
    var tooMuch = signed(USER, EXECUTOR.address(), 1, huge, huge);
    assertThatThrownBy(() -> check.check(tooMuch, REQUEST, List.of()))
        .hasMessageContaining("balance")
        .hasMessageContaining("cannot pay the fee");
  }

  @Test
  void aMalformedSignatureIsSaidSo() {
    var bad =
        signed(USER, EXECUTOR.address(), 1, FEE, LIMIT).toBuilder()
            .setSignature(com.google.protobuf.ByteString.copyFrom(new byte[3]))
            .build();
    assertThatThrownBy(() -> check.check(bad, REQUEST, List.of()))
        .hasMessageContaining("malformed");
  }
}
