package io.ascribe.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Hash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningGuardTest {
  private static final Hash A = Keccak.hash(new byte[] {1});
  private static final Hash B = Keccak.hash(new byte[] {2});

  @TempDir Path dir;

  @Test
  void refusesEarlierStepsAndOtherDigestsAtTheSameStep() {
    DurableSigningGuard guard = new DurableSigningGuard(new FileGuardStore(dir.resolve("guard")));
    assertThat(guard.permit(5, 1, Step.PREVOTE, A)).isTrue();
    assertThat(guard.permit(5, 1, Step.PREVOTE, A)).isTrue();
    assertThat(guard.permit(5, 1, Step.PREVOTE, B)).isFalse();
    assertThat(guard.permit(5, 1, Step.PROPOSE, B)).isFalse();
    assertThat(guard.permit(5, 0, Step.PRECOMMIT, B)).isFalse();
    assertThat(guard.permit(4, 9, Step.PRECOMMIT, B)).isFalse();
    assertThat(guard.permit(5, 1, Step.PRECOMMIT, B)).isTrue();
    assertThat(guard.permit(5, 2, Step.PROPOSE, A)).isTrue();
  }

  @Test
  void aReopenedGuardRefusesToDoubleSign() {
    Path file = dir.resolve("guard");
    assertThat(new DurableSigningGuard(new FileGuardStore(file)).permit(7, 3, Step.PRECOMMIT, A))
        .isTrue();
    DurableSigningGuard reopened = new DurableSigningGuard(new FileGuardStore(file));
    assertThat(reopened.lastSigned()).contains(new GuardStore.LastSigned(7, 3, Step.PRECOMMIT, A));
    assertThat(reopened.permit(7, 3, Step.PRECOMMIT, B)).isFalse();
    assertThat(reopened.permit(7, 3, Step.PREVOTE, B)).isFalse();
    assertThat(reopened.permit(7, 3, Step.PRECOMMIT, A)).isTrue();
  }

  @Test
  void aDamagedGuardFileStopsTheNodeRatherThanForget() throws Exception {
    Path file = dir.resolve("guard");
    new FileGuardStore(file).save(new GuardStore.LastSigned(1, 0, Step.PREVOTE, A));
    byte[] bytes = Files.readAllBytes(file);
    bytes[10] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> new DurableSigningGuard(new FileGuardStore(file)))
        .hasMessageContaining("checksum");
  }

  @Test
  void keySignerSignsRecoverablyAndOnlyWhatTheGuardPermits() {
    PrivateKey key = PrivateKey.generate(new SecureRandom(new byte[] {9}));
    Path file = dir.resolve("guard");
    KeySigner signer = new KeySigner(key, 7, new DurableSigningGuard(new FileGuardStore(file)));
    VoteVerifier verifier = VoteVerifier.secp256k1(7);
    SignedVote vote = signer.signVote(SignedVote.Type.PREVOTE, 3, 0, Optional.of(A)).orElseThrow();
    assertThat(verifier.verify(vote)).isTrue();
    assertThat(VoteVerifier.secp256k1(8).verify(vote)).isFalse();
    Proposal proposal = signer.signProposal(3, 1, B, 0).orElseThrow();
    assertThat(verifier.verify(proposal)).isTrue();
    KeySigner restarted = new KeySigner(key, 7, new DurableSigningGuard(new FileGuardStore(file)));
    assertThat(restarted.signProposal(3, 1, A, -1)).isEmpty();
    assertThat(restarted.signVote(SignedVote.Type.PREVOTE, 3, 1, Optional.empty())).isPresent();
  }
}
