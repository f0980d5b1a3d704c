package io.ascribe.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsensusWalTest {
  private static final Hash V = Keccak.hash(new byte[] {1});

  @TempDir Path dir;

  private static List<Event> events() {
    ConsensusSigner other = TestCrypto.signer(2, Optional.empty());
    return List.of(
        new Event.ProposalReceived(other.signProposal(4, 1, V, 0).orElseThrow()),
        new Event.VoteReceived(
            other.signVote(SignedVote.Type.PREVOTE, 4, 1, Optional.of(V)).orElseThrow()),
        new Event.VoteReceived(
            other.signVote(SignedVote.Type.PRECOMMIT, 4, 1, Optional.empty()).orElseThrow()),
        new Event.TimeoutFired(Step.PREVOTE, 4, 1),
        new Event.ValueValidated(4, V, false),
        new Event.ValueProposed(4, 2, V));
  }

  @Test
  void replaysWhatWasAppendedAfterReopening() {
    Path file = dir.resolve("wal");
    try (FileConsensusWal wal = FileConsensusWal.open(file)) {
      events().forEach(wal::append);
      wal.sync();
    }
    try (FileConsensusWal wal = FileConsensusWal.open(file)) {
      assertThat(wal.replay()).isEqualTo(events());
      wal.startHeight(5);
      assertThat(wal.replay()).isEmpty();
    }
    try (FileConsensusWal wal = FileConsensusWal.open(file)) {
      assertThat(wal.replay()).isEmpty();
    }
  }

  @Test
  void aTornOrCorruptTailIsCutOffAndTheLogGoesOn() throws IOException {
    Path file = dir.resolve("wal");
    try (FileConsensusWal wal = FileConsensusWal.open(file)) {
      events().forEach(wal::append);
    }
    long full = Files.size(file);
    // A torn last record: cut three bytes off the end.
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(full - 3);
    }
    try (FileConsensusWal wal = FileConsensusWal.open(file)) {
      assertThat(wal.replay()).isEqualTo(events().subList(0, 5));
      wal.append(events().get(5));
    }
    // A flipped bit in the third record: it and everything after it go.
    byte[] bytes = Files.readAllBytes(file);
    int offset = 0;
    for (int i = 0; i < 2; i++) {
      offset += 8 + java.nio.ByteBuffer.wrap(bytes, offset, 4).getInt();
    }
    bytes[offset + 8 + 5] ^= 0x10;
    Files.write(file, bytes);
    try (FileConsensusWal wal = FileConsensusWal.open(file)) {
      assertThat(wal.replay()).isEqualTo(events().subList(0, 2));
    }
    assertThat(Files.size(file)).isEqualTo(offset);
  }

  @Test
  void aRecoveredMachineResendsTheSameVoteAndNoOther() {
    List<io.ascribe.core.types.Address> addresses =
        IntStream.range(0, 4).mapToObj(TestCrypto::address).toList();
    Validators validators =
        new Validators(addresses.stream().map(a -> new Validators.Validator(a, 1)).toList());
    int proposer = addresses.indexOf(new ProposerRotation(validators).proposer(1, 0));
    int me = (proposer + 1) % 4;
    TestCrypto.MemoryGuardStore guardStore = new TestCrypto.MemoryGuardStore();
    Path file = dir.resolve("wal");
    Proposal proposal =
        TestCrypto.signer(proposer, Optional.empty()).signProposal(1, 0, V, -1).orElseThrow();
    SignedVote sent;
    try (FileConsensusWal wal = FileConsensusWal.open(file)) {
      JournaledMachine node =
          new JournaledMachine(
              new TendermintMachine(
                  TestCrypto.signer(me, Optional.of(new DurableSigningGuard(guardStore))),
                  TestCrypto.verifier(addresses),
                  TimeoutConfig.DEFAULT),
              wal);
      node.handle(new Event.StartHeight(1, validators));
      node.handle(new Event.ProposalReceived(proposal));
      sent = prevote(node.handle(new Event.ValueValidated(1, V, true))).orElseThrow();
    }
    try (FileConsensusWal wal = FileConsensusWal.open(file)) {
      JournaledMachine.Recovered recovered =
          JournaledMachine.recover(
              new TendermintMachine(
                  TestCrypto.signer(me, Optional.of(new DurableSigningGuard(guardStore))),
                  TestCrypto.verifier(addresses),
                  TimeoutConfig.DEFAULT),
              wal,
              new Event.StartHeight(1, validators));
      assertThat(prevote(recovered.actions())).contains(sent);
      assertThat(recovered.machine().machine().step()).isEqualTo(Step.PREVOTE);
    }
  }

  /**
   * Simulation seeds 10293 and 13908 stalled forever: the round-0 proposer proposed, prevoted and
   * precommitted, then crashed before its prevote reached anyone. On restart the replay asked the
   * guard to sign the proposal and prevote again, but the guard (rightly) refuses any step before
   * the last one it signed, so the node came back without its own proposal and prevote, and with
   * too little power prevoting the round could never leave PREVOTE. The log must keep what the node
   * signed, so that a restart holds (and re-sends) every message it ever sent.
   */
  @Test
  void aRecoveredProposerStillHoldsAndResendsWhatItSignedBeforeItsLastStep() {
    List<io.ascribe.core.types.Address> addresses =
        IntStream.range(0, 4).mapToObj(TestCrypto::address).toList();
    Validators validators =
        new Validators(addresses.stream().map(a -> new Validators.Validator(a, 1)).toList());
    int me = addresses.indexOf(new ProposerRotation(validators).proposer(1, 0));
    TestCrypto.MemoryGuardStore guardStore = new TestCrypto.MemoryGuardStore();
    Path file = dir.resolve("wal");
    List<Action> sent = new java.util.ArrayList<>();
    try (FileConsensusWal wal = FileConsensusWal.open(file)) {
      JournaledMachine node =
          new JournaledMachine(
              new TendermintMachine(
                  TestCrypto.signer(me, Optional.of(new DurableSigningGuard(guardStore))),
                  TestCrypto.verifier(addresses),
                  TimeoutConfig.DEFAULT),
              wal);
      node.handle(new Event.StartHeight(1, validators));
      sent.addAll(node.handle(new Event.ValueProposed(1, 0, V)));
      for (int i = 0, others = 0; others < 2; i++) {
        if (i != me) {
          others++;
          SignedVote prevote =
              TestCrypto.signer(i, Optional.empty())
                  .signVote(SignedVote.Type.PREVOTE, 1, 0, Optional.of(V))
                  .orElseThrow();
          sent.addAll(node.handle(new Event.VoteReceived(prevote)));
        }
      }
    }
    List<Action> broadcasts =
        sent.stream()
            .filter(a -> a instanceof Action.BroadcastVote || a instanceof Action.BroadcastProposal)
            .toList();
    // A proposal, the prevote for it, and the precommit after the others' prevotes.
    assertThat(broadcasts).hasSize(3);
    try (FileConsensusWal wal = FileConsensusWal.open(file)) {
      JournaledMachine.Recovered recovered =
          JournaledMachine.recover(
              new TendermintMachine(
                  TestCrypto.signer(me, Optional.of(new DurableSigningGuard(guardStore))),
                  TestCrypto.verifier(addresses),
                  TimeoutConfig.DEFAULT),
              wal,
              new Event.StartHeight(1, validators));
      TendermintMachine m = recovered.machine().machine();
      assertThat(recovered.actions()).containsAll(broadcasts);
      for (Action a : broadcasts) {
        switch (a) {
          case Action.BroadcastProposal b -> assertThat(m.proposals()).contains(b.proposal());
          case Action.BroadcastVote b -> assertThat(m.votes()).contains(b.vote());
          default -> throw new AssertionError(a);
        }
      }
      assertThat(m.step()).isEqualTo(Step.PRECOMMIT);
      assertThat(m.lockedValue()).contains(V);
    }
  }

  private static Optional<SignedVote> prevote(List<Action> actions) {
    return actions.stream()
        .filter(a -> a instanceof Action.BroadcastVote)
        .map(a -> ((Action.BroadcastVote) a).vote())
        .findFirst();
  }
}
