package io.ascribe.ledger;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.CommitSig;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.exec.InvalidBlockException;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommitVerifierTest {
  private static final long CHAIN = 9;
  private static final long HEIGHT = 12;
  private static final Hash BLOCK = Keccak.hash(new byte[] {7});
  private final PrivateKey a = LedgerFixture.key(11);
  private final PrivateKey b = LedgerFixture.key(12);
  private final PrivateKey c = LedgerFixture.key(13);
  private final PrivateKey d = LedgerFixture.key(14);
  private final ValidatorSet validators =
      new ValidatorSet(
          List.of(
              new ValidatorSet.Validator(
                  a.address(), io.ascribe.core.types.Amount.ONE_OPEN.multiply(BigInteger.TEN)),
              new ValidatorSet.Validator(
                  b.address(), io.ascribe.core.types.Amount.ONE_OPEN.multiply(BigInteger.TEN)),
              new ValidatorSet.Validator(
                  c.address(), io.ascribe.core.types.Amount.ONE_OPEN.multiply(BigInteger.TEN)),
              new ValidatorSet.Validator(
                  d.address(), io.ascribe.core.types.Amount.ONE_OPEN.multiply(BigInteger.TEN))));

  private static CommitSig sig(PrivateKey key, Hash block) {
    byte[] signature =
        key.sign(BlockHashing.voteDigest(BlockHashing.precommit(CHAIN, HEIGHT, 0, block)))
            .toBytes();
    return CommitSig.newBuilder()
        .setValidator(ByteString.copyFrom(key.address().toArray()))
        .setSignature(ByteString.copyFrom(signature))
        .build();
  }

  private static Commit commit(CommitSig... sigs) {
    return Commit.newBuilder()
        .setHeight(HEIGHT)
        .setBlockHash(ByteString.copyFrom(BLOCK.toArray()))
        .addAllSignatures(List.of(sigs))
        .build();
  }

  private void verify(Commit commit) {
    CommitVerifier.verify(CHAIN, HEIGHT, BLOCK, commit, validators);
  }

  @Test
  void moreThanTwoThirdsOfThePowerCommits() {
    assertThatCode(() -> verify(commit(sig(a, BLOCK), sig(b, BLOCK), sig(c, BLOCK))))
        .doesNotThrowAnyException();
  }

  @Test
  void exactlyTwoThirdsIsNotEnough() {
    assertThatThrownBy(() -> verify(commit(sig(a, BLOCK), sig(b, BLOCK))))
        .isInstanceOf(InvalidBlockException.class)
        .hasMessageContaining("not more than 2/3");
  }

  @Test
  void aValidatorCountsOnce() {
    assertThatThrownBy(() -> verify(commit(sig(a, BLOCK), sig(a, BLOCK), sig(b, BLOCK))))
        .hasMessageContaining("twice");
  }

  @Test
  void signaturesFromOutsideTheSetOrForAnotherBlockDoNotCount() {
    PrivateKey outsider = LedgerFixture.key(15);
    assertThatThrownBy(() -> verify(commit(sig(a, BLOCK), sig(b, BLOCK), sig(outsider, BLOCK))))
        .hasMessageContaining("is not a validator");
    Hash other = Keccak.hash(new byte[] {8});
    assertThatThrownBy(() -> verify(commit(sig(a, BLOCK), sig(b, BLOCK), sig(c, other))))
        .hasMessageContaining("was made by");
  }

  @Test
  void aCommitForAnotherHeightOrBlockIsRefused() {
    Commit wrongHeight =
        commit(sig(a, BLOCK), sig(b, BLOCK), sig(c, BLOCK)).toBuilder()
            .setHeight(HEIGHT + 1)
            .build();
    assertThatThrownBy(() -> verify(wrongHeight)).hasMessageContaining("is not for block");
  }

  // ---- epoch-root signatures -----------------------------------------------------------------

  private static final Hash EPOCH_DIGEST = Keccak.hash(new byte[] {42});

  private static CommitSig attested(PrivateKey key, Hash digest) {
    return sig(key, BLOCK).toBuilder()
        .setEpochRootSignature(ByteString.copyFrom(key.sign(digest).toBytes()))
        .build();
  }

  private void verifyAttested(Commit commit) {
    CommitVerifier.verify(CHAIN, HEIGHT, BLOCK, commit, validators, Optional.of(EPOCH_DIGEST));
  }

  @Test
  void anEpochEndCommitNeedsEveryPrecommitsEpochRootSignature() {
    assertThatCode(
            () ->
                verifyAttested(
                    commit(
                        attested(a, EPOCH_DIGEST),
                        attested(b, EPOCH_DIGEST),
                        attested(c, EPOCH_DIGEST))))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                verifyAttested(
                    commit(attested(a, EPOCH_DIGEST), attested(b, EPOCH_DIGEST), sig(c, BLOCK))))
        .isInstanceOf(InvalidBlockException.class)
        .hasMessageContaining("lacks the epoch-root signature");
  }

  @Test
  void anEpochRootSignatureOverAnotherRootOrByAnotherKeyIsRefused() {
    Hash otherRoot = Keccak.hash(new byte[] {43});
    assertThatThrownBy(
            () ->
                verifyAttested(
                    commit(
                        attested(a, EPOCH_DIGEST),
                        attested(b, EPOCH_DIGEST),
                        attested(c, otherRoot))))
        .isInstanceOf(InvalidBlockException.class)
        .hasMessageContaining("does not sign this block's epoch root");
    CommitSig borrowed =
        sig(c, BLOCK).toBuilder()
            .setEpochRootSignature(ByteString.copyFrom(d.sign(EPOCH_DIGEST).toBytes()))
            .build();
    assertThatThrownBy(
            () ->
                verifyAttested(
                    commit(attested(a, EPOCH_DIGEST), attested(b, EPOCH_DIGEST), borrowed)))
        .hasMessageContaining("does not sign this block's epoch root");
    CommitSig truncated =
        sig(c, BLOCK).toBuilder().setEpochRootSignature(ByteString.copyFrom(new byte[64])).build();
    assertThatThrownBy(
            () ->
                verifyAttested(
                    commit(attested(a, EPOCH_DIGEST), attested(b, EPOCH_DIGEST), truncated)))
        .hasMessageContaining("malformed");
  }

  @Test
  void noEpochRootSignatureWhereNoneIsDue() {
    assertThatThrownBy(
            () -> verify(commit(sig(a, BLOCK), sig(b, BLOCK), attested(c, EPOCH_DIGEST))))
        .isInstanceOf(InvalidBlockException.class)
        .hasMessageContaining("where none is due");
  }
}
