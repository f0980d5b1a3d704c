package io.ascribe.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each of Algorithm 1's upon rules, driven by hand on one machine among four equal validators. */
class TendermintMachineTest {
  private static final TimeoutConfig TIMEOUTS = new TimeoutConfig(300, 100, 200, 50, 200, 50);
  private static final Hash V = Keccak.hash(new byte[] {1});
  private static final Hash W = Keccak.hash(new byte[] {2});

  private final List<Address> addresses =
      IntStream.range(0, 4).mapToObj(TestCrypto::address).toList();
  private final Validators validators =
      new Validators(addresses.stream().map(a -> new Validators.Validator(a, 10)).toList());
  private int me;
  private TendermintMachine machine;

  @BeforeEach
  void setUp() {
    ProposerRotation rotation = new ProposerRotation(validators);
    // Be a validator that does not propose in rounds 0..2 of height 1, so tests feed proposals.
    for (int i = 0; i < 4; i++) {
      Address a = addresses.get(i);
      if (!a.equals(rotation.proposer(1, 0))
          && !a.equals(rotation.proposer(1, 1))
          && !a.equals(rotation.proposer(1, 2))) {
        me = i;
      }
    }
    machine =
        new TendermintMachine(
            TestCrypto.signer(
                me, Optional.of(new DurableSigningGuard(new TestCrypto.MemoryGuardStore()))),
            TestCrypto.verifier(addresses),
            TIMEOUTS);
  }

  private List<Action> start() {
    return machine.handle(new Event.StartHeight(1, validators));
  }

  private int proposerIndex(int round) {
    return addresses.indexOf(new ProposerRotation(validators).proposer(1, round));
  }

  private List<Action> propose(int round, Hash value, int validRound) {
    Proposal p =
        TestCrypto.signer(proposerIndex(round), Optional.empty())
            .signProposal(1, round, value, validRound)
            .orElseThrow();
    return machine.handle(new Event.ProposalReceived(p));
  }

  private SignedVote vote(int from, SignedVote.Type type, int round, Hash value) {
    return TestCrypto.signer(from, Optional.empty())
        .signVote(type, 1, round, Optional.ofNullable(value))
        .orElseThrow();
  }

  /** Votes of the three other validators (or the first {@code count} of them). */
  private List<Action> others(int count, SignedVote.Type type, int round, Hash value) {
    List<Action> out = new ArrayList<>();
    for (int i = 0, sent = 0; i < 4 && sent < count; i++) {
      if (i != me) {
        out.addAll(machine.handle(new Event.VoteReceived(vote(i, type, round, value))));
        sent++;
      }
    }
    return out;
  }

  private static Optional<SignedVote> broadcastVote(List<Action> actions) {
    return actions.stream()
        .filter(a -> a instanceof Action.BroadcastVote)
        .map(a -> ((Action.BroadcastVote) a).vote())
        .findFirst();
  }

  private List<Action> validate(Hash value, boolean valid) {
    return machine.handle(new Event.ValueValidated(1, value, valid));
  }

  @Test
  void startRoundSchedulesTheProposeTimeoutGrowingWithTheRound() {
    assertThat(start()).containsExactly(new Action.ScheduleTimeout(Step.PROPOSE, 1, 0, 300));
    others(3, SignedVote.Type.PRECOMMIT, 0, null);
    List<Action> next = machine.handle(new Event.TimeoutFired(Step.PRECOMMIT, 1, 0));
    assertThat(machine.round()).isEqualTo(1);
    assertThat(next).contains(new Action.ScheduleTimeout(Step.PROPOSE, 1, 1, 400));
  }

  @Test
  void proposerAsksForAValueAndProposesIt() {
    int proposer = proposerIndex(0);
    TendermintMachine p =
        new TendermintMachine(
            TestCrypto.signer(proposer, Optional.empty()),
            TestCrypto.verifier(addresses),
            TIMEOUTS);
    assertThat(p.handle(new Event.StartHeight(1, validators)))
        .contains(new Action.ProposeRequest(1, 0));
    List<Action> out = p.handle(new Event.ValueProposed(1, 0, V));
    assertThat(out)
        .anyMatch(a -> a instanceof Action.BroadcastProposal b && b.proposal().value().equals(V));
    // Its own block needs no validation: it prevotes for it at once (line 22).
    assertThat(broadcastVote(out).orElseThrow().value()).contains(V);
  }

  @Test
  void aProposalFromAValidatorOutOfTurnIsRefusedWithTheRightfulProposerAndChangesNothing() {
    start();
    int wrong = (proposerIndex(0) + 1) % 4;
    Proposal p = TestCrypto.signer(wrong, Optional.empty()).signProposal(1, 0, V, -1).orElseThrow();
    List<Action> out = machine.handle(new Event.ProposalReceived(p));
    assertThat(out).containsExactly(new Action.RefusedProposal(p, addresses.get(proposerIndex(0))));
    assertThat(machine.proposals()).isEmpty();
    assertThat(machine.step()).isEqualTo(Step.PROPOSE);
  }

  @Test
  void line22PrevotesAValidFreshProposalOnceValidated() {
    start();
    assertThat(propose(0, V, -1)).containsExactly(new Action.ValidateRequest(1, 0, V));
    assertThat(machine.step()).isEqualTo(Step.PROPOSE);
    SignedVote prevote = broadcastVote(validate(V, true)).orElseThrow();
    assertThat(prevote.type()).isEqualTo(SignedVote.Type.PREVOTE);
    assertThat(prevote.value()).contains(V);
    assertThat(machine.step()).isEqualTo(Step.PREVOTE);
  }

  @Test
  void line22PrevotesNilForAnInvalidProposal() {
    start();
    propose(0, V, -1);
    assertThat(broadcastVote(validate(V, false)).orElseThrow().isNil()).isTrue();
  }

  @Test
  void line36LocksAndPrecommitsOnAQuorumOfPrevotes() {
    start();
    propose(0, V, -1);
    validate(V, true);
    SignedVote precommit = broadcastVote(others(2, SignedVote.Type.PREVOTE, 0, V)).orElseThrow();
    assertThat(precommit.type()).isEqualTo(SignedVote.Type.PRECOMMIT);
    assertThat(precommit.value()).contains(V);
    assertThat(machine.lockedValue()).contains(V);
    assertThat(machine.lockedRound()).isZero();
    assertThat(machine.validValue()).contains(V);
    assertThat(machine.validRound()).isZero();
  }

  @Test
  void line22PrevotesNilForAnotherValueWhenLocked() {
    lockOnVInRoundZero();
    propose(1, W, -1);
    assertThat(broadcastVote(validate(W, true)).orElseThrow().isNil()).isTrue();
  }

  @Test
  void line28PrevotesAReproposalBackedByAQuorumAtItsValidRound() {
    lockOnVInRoundZero();
    // Round 1: W got a quorum of prevotes, but this node never saw its proposal in time.
    others(3, SignedVote.Type.PREVOTE, 1, W);
    machine.handle(new Event.TimeoutFired(Step.PREVOTE, 1, 1));
    others(3, SignedVote.Type.PRECOMMIT, 1, null);
    machine.handle(new Event.TimeoutFired(Step.PRECOMMIT, 1, 1));
    assertThat(machine.round()).isEqualTo(2);
    // Round 2 re-proposes W with valid round 1 >= locked round 0: prevote W despite the lock.
    propose(2, W, 1);
    SignedVote prevote = broadcastVote(validate(W, true)).orElseThrow();
    assertThat(prevote.round()).isEqualTo(2);
    assertThat(prevote.value()).contains(W);
  }

  @Test
  void line34And44PrevoteTimeoutThenNilPrecommit() {
    start();
    machine.handle(new Event.TimeoutFired(Step.PROPOSE, 1, 0));
    assertThat(machine.step()).isEqualTo(Step.PREVOTE);
    List<Action> mixed = new ArrayList<>(others(1, SignedVote.Type.PREVOTE, 0, V));
    mixed.addAll(
        machine.handle(
            new Event.VoteReceived(vote(otherThan(me, 0), SignedVote.Type.PREVOTE, 0, W))));
    assertThat(mixed).contains(new Action.ScheduleTimeout(Step.PREVOTE, 1, 0, 200));
    assertThat(machine.step()).isEqualTo(Step.PREVOTE);
    SignedVote nil =
        broadcastVote(machine.handle(new Event.TimeoutFired(Step.PREVOTE, 1, 0))).orElseThrow();
    assertThat(nil.type()).isEqualTo(SignedVote.Type.PRECOMMIT);
    assertThat(nil.isNil()).isTrue();
  }

  @Test
  void line44PrecommitsNilOnAQuorumOfNilPrevotes() {
    start();
    machine.handle(new Event.TimeoutFired(Step.PROPOSE, 1, 0));
    SignedVote precommit = broadcastVote(others(2, SignedVote.Type.PREVOTE, 0, null)).orElseThrow();
    assertThat(precommit.type()).isEqualTo(SignedVote.Type.PRECOMMIT);
    assertThat(precommit.isNil()).isTrue();
  }

  @Test
  void line49CommitsWithTheQuorumOfPrecommits() {
    start();
    others(3, SignedVote.Type.PRECOMMIT, 0, V);
    assertThat(machine.started()).isTrue(); // no proposal yet, so nothing to commit
    propose(0, V, -1);
    List<Action> out = validate(V, true);
    Action.CommitValue commit =
        out.stream()
            .filter(a -> a instanceof Action.CommitValue)
            .map(Action.CommitValue.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(commit.height()).isEqualTo(1);
    assertThat(commit.value()).isEqualTo(V);
    assertThat(commit.precommits()).hasSize(3);
    assertThat(commit.toProto().getSignaturesCount()).isEqualTo(3);
    assertThat(machine.started()).isFalse();
    assertThat(machine.height()).isEqualTo(2);
  }

  @Test
  void line55SkipsToARoundWhereMoreThanAThirdIsActive() {
    start();
    others(1, SignedVote.Type.PREVOTE, 5, V);
    assertThat(machine.round()).isZero();
    others(2, SignedVote.Type.PREVOTE, 5, V);
    assertThat(machine.round()).isEqualTo(5);
    assertThat(machine.step()).isEqualTo(Step.PROPOSE);
  }

  @Test
  void staleTimeoutsAndForeignVotesAreIgnored() {
    start();
    assertThat(machine.handle(new Event.TimeoutFired(Step.PROPOSE, 1, 3))).isEmpty();
    SignedVote stranger =
        TestCrypto.signer(9, Optional.empty())
            .signVote(SignedVote.Type.PREVOTE, 1, 0, Optional.of(V))
            .orElseThrow();
    assertThat(machine.handle(new Event.VoteReceived(stranger))).isEmpty();
    SignedVote forged =
        new SignedVote(
            SignedVote.Type.PREVOTE,
            1,
            0,
            Optional.of(V),
            addresses.get(otherThan(me, 0)),
            TestCrypto.sign(otherThan(me, 0), W));
    machine.handle(new Event.VoteReceived(forged));
    assertThat(machine.votes()).isEmpty();
  }

  @Test
  void equivocatingVotesBecomeEvidence() {
    start();
    int liar = otherThan(me, 0);
    SignedVote a = vote(liar, SignedVote.Type.PREVOTE, 0, V);
    SignedVote b = vote(liar, SignedVote.Type.PREVOTE, 0, null);
    assertThat(machine.handle(new Event.VoteReceived(a))).isEmpty();
    assertThat(machine.handle(new Event.VoteReceived(a))).isEmpty();
    assertThat(machine.handle(new Event.VoteReceived(b)))
        .containsExactly(new Action.Evidence(a, b));
    SignedVote c = vote(liar, SignedVote.Type.PREVOTE, 0, W);
    assertThat(machine.handle(new Event.VoteReceived(c))).isEmpty(); // reported once
  }

  @Test
  void messagesForTheNextHeightWaitForIt() {
    start();
    SignedVote future =
        TestCrypto.signer(otherThan(me, 0), Optional.empty())
            .signVote(SignedVote.Type.PREVOTE, 2, 0, Optional.of(V))
            .orElseThrow();
    machine.handle(new Event.VoteReceived(future));
    propose(0, V, -1);
    validate(V, true);
    others(3, SignedVote.Type.PRECOMMIT, 0, V);
    assertThat(machine.height()).isEqualTo(2);
    machine.handle(new Event.StartHeight(2, validators));
    assertThat(machine.votes()).contains(future);
  }

  private void lockOnVInRoundZero() {
    start();
    propose(0, V, -1);
    validate(V, true);
    others(2, SignedVote.Type.PREVOTE, 0, V);
    others(3, SignedVote.Type.PRECOMMIT, 0, null);
    machine.handle(new Event.TimeoutFired(Step.PRECOMMIT, 1, 0));
    assertThat(machine.round()).isEqualTo(1);
    assertThat(machine.lockedValue()).contains(V);
  }

  private static int otherThan(int a, int b) {
    for (int i = 0; i < 4; i++) {
      if (i != a && i != b) {
        return i;
      }
    }
    throw new IllegalStateException();
  }
}
