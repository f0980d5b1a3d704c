package io.ascribe.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.CommitSig;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Precommits at a height that asks for an attestation (an epoch root), with real secp256k1 keys:
 * they carry it, a precommit without a valid one is not counted, and the commit holds them all.
 */
class PrecommitAttestationTest {
  private static final long CHAIN = 7;
  private static final TimeoutConfig TIMEOUTS = new TimeoutConfig(300, 100, 200, 50, 200, 50);
  private static final Hash V = Keccak.hash(new byte[] {1});
  private static final Hash EPOCH_ROOT = Keccak.hash(new byte[] {2});
  private static final Hash OTHER_ROOT = Keccak.hash(new byte[] {3});

  /** Height 1 ends an epoch; height 2 does not. */
  private static final PrecommitAttestation ATTESTATION =
      height -> height == 1 ? Optional.of(EPOCH_ROOT) : Optional.empty();

  private final List<PrivateKey> keys =
      IntStream.range(0, 4)
          .mapToObj(i -> PrivateKey.fromBytes(Keccak.hash(new byte[] {9, (byte) i}).toArray()))
          .toList();
  private final Validators validators =
      new Validators(keys.stream().map(k -> new Validators.Validator(k.address(), 10)).toList());
  private final VoteVerifier verifier = VoteVerifier.secp256k1(CHAIN, ATTESTATION);
  private int me;
  private TendermintMachine machine;

  @BeforeEach
  void setUp() {
    Address proposer = new ProposerRotation(validators).proposer(1, 0);
    me = proposer.equals(keys.get(0).address()) ? 1 : 0;
    machine = new TendermintMachine(signer(me, ATTESTATION), verifier, TIMEOUTS);
  }

  private static KeySigner signer(PrivateKey key, PrecommitAttestation attestation) {
    return new KeySigner(
        key, CHAIN, new DurableSigningGuard(new TestCrypto.MemoryGuardStore()), attestation);
  }

  private KeySigner signer(int index, PrecommitAttestation attestation) {
    return signer(keys.get(index), attestation);
  }

  private List<Integer> others() {
    return IntStream.range(0, 4).filter(i -> i != me).boxed().toList();
  }

  private SignedVote vote(int from, SignedVote.Type type, PrecommitAttestation attestation) {
    return signer(from, attestation).signVote(type, 1, 0, Optional.of(V)).orElseThrow();
  }

  private List<Action> receive(SignedVote vote) {
    return machine.handle(new Event.VoteReceived(vote));
  }

  private static Address recover(Hash digest, Signature signature) {
    return Secp256k1.recoverAddress(digest, signature);
  }

  /** Brings the machine to its precommit for V in round 0 and returns that precommit. */
  private SignedVote precommitForV() {
    machine.handle(new Event.StartHeight(1, validators));
    int proposer =
        keys.indexOf(
            keys.stream()
                .filter(k -> k.address().equals(new ProposerRotation(validators).proposer(1, 0)))
                .findFirst()
                .orElseThrow());
    Proposal proposal = signer(proposer, ATTESTATION).signProposal(1, 0, V, -1).orElseThrow();
    machine.handle(new Event.ProposalReceived(proposal));
    machine.handle(new Event.ValueValidated(1, V, true));
    List<Action> out = new ArrayList<>();
    for (int i : others()) {
      out.addAll(receive(vote(i, SignedVote.Type.PREVOTE, ATTESTATION)));
    }
    return out.stream()
        .filter(
            a ->
                a instanceof Action.BroadcastVote b && b.vote().type() == SignedVote.Type.PRECOMMIT)
        .map(a -> ((Action.BroadcastVote) a).vote())
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aPrecommitForABlockSignsTheHeightsDigestAndPrevotesSignNone() {
    SignedVote precommit = precommitForV();
    assertThat(precommit.value()).contains(V);
    assertThat(recover(EPOCH_ROOT, precommit.attestation().orElseThrow()))
        .isEqualTo(keys.get(me).address());
    assertThat(verifier.verify(precommit)).isTrue();
    assertThat(vote(others().get(0), SignedVote.Type.PREVOTE, ATTESTATION).attestation()).isEmpty();
    SignedVote nil =
        signer(others().get(0), ATTESTATION)
            .signVote(SignedVote.Type.PRECOMMIT, 1, 0, Optional.empty())
            .orElseThrow();
    assertThat(nil.attestation()).isEmpty();
    assertThat(verifier.verify(nil)).isTrue();
  }

  @Test
  void onlyPrecommitsWithAValidAttestationCountAndTheCommitCarriesThem() {
    precommitForV();
    List<Integer> others = others();
    // Without an attestation, or with one over another root: refused, so not counted. With this
    // node's own precommit they would have made three of four.
    SignedVote unattested =
        vote(others.get(0), SignedVote.Type.PRECOMMIT, PrecommitAttestation.NONE);
    SignedVote otherRoot =
        vote(others.get(1), SignedVote.Type.PRECOMMIT, h -> Optional.of(OTHER_ROOT));
    assertThat(verifier.verify(unattested)).isFalse();
    assertThat(verifier.verify(otherRoot)).isFalse();
    assertThat(receive(unattested)).noneMatch(a -> a instanceof Action.CommitValue);
    assertThat(receive(otherRoot)).noneMatch(a -> a instanceof Action.CommitValue);

    assertThat(receive(vote(others.get(1), SignedVote.Type.PRECOMMIT, ATTESTATION)))
        .noneMatch(a -> a instanceof Action.CommitValue);
    Action.CommitValue decided =
        receive(vote(others.get(2), SignedVote.Type.PRECOMMIT, ATTESTATION)).stream()
            .filter(a -> a instanceof Action.CommitValue)
            .map(Action.CommitValue.class::cast)
            .findFirst()
            .orElseThrow();

    Commit commit = decided.toProto();
    assertThat(commit.getSignaturesCount()).isEqualTo(3);
    for (CommitSig sig : commit.getSignaturesList()) {
      Address validator = Address.wrap(sig.getValidator().toByteArray());
      Signature attestation = Signature.fromBytes(sig.getEpochRootSignature().toByteArray());
      assertThat(recover(EPOCH_ROOT, attestation)).isEqualTo(validator);
    }
  }

  @Test
  void noAttestationWhereNoneIsDue() {
    SignedVote attested = vote(0, SignedVote.Type.PRECOMMIT, ATTESTATION);
    SignedVote atHeight2 =
        signer(0, h -> Optional.of(EPOCH_ROOT))
            .signVote(SignedVote.Type.PRECOMMIT, 2, 0, Optional.of(V))
            .orElseThrow();
    assertThat(verifier.verify(attested)).isTrue();
    assertThat(atHeight2.attestation()).isPresent();
    assertThat(verifier.verify(atHeight2)).isFalse();
    assertThat(
            signer(0, ATTESTATION)
                .signVote(SignedVote.Type.PRECOMMIT, 2, 0, Optional.of(V))
                .orElseThrow()
                .attestation())
        .isEmpty();
  }

  @Test
  void theWriteAheadLogKeepsAVotesAttestation() {
    SignedVote attested = vote(0, SignedVote.Type.PRECOMMIT, ATTESTATION);
    SignedVote plain = vote(0, SignedVote.Type.PREVOTE, ATTESTATION);
    for (SignedVote vote : List.of(attested, plain)) {
      Event event = new Event.VoteReceived(vote);
      assertThat(EventCodec.decode(EventCodec.encode(event))).isEqualTo(event);
    }
    // A vote logged before attestations existed still reads (its tag is unchanged).
    assertThat(EventCodec.encode(new Event.VoteReceived(plain))[0]).isEqualTo((byte) 2);
  }
}
