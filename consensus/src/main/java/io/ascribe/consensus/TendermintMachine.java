package io.ascribe.consensus;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One validator's Tendermint consensus (Algorithm 1 of Buchman, Kwon, Milosevic 2018) as a pure,
 * single-threaded state machine: {@link #handle} takes an {@link Event} and returns the {@link
 * Action}s it causes, and nothing else happens. After every event the machine re-checks the paper's
 * "upon" rules until none fires, so the order in which messages arrive never matters for which
 * rules eventually fire. Line numbers in comments refer to Algorithm 1.
 */
public final class TendermintMachine {
  /** Messages for the next height kept until it starts; more are dropped (gossip resends). */
  private static final int MAX_FUTURE_MESSAGES = 10_000;

  private final ConsensusSigner signer;
  private final VoteVerifier verifier;
  private final TimeoutConfig timeouts;

  private long height;
  private boolean started;
  private Validators validators;
  private ProposerRotation rotation;
  private int round;
  private Step step = Step.PROPOSE;
  private Hash lockedValue;
  private int lockedRound = -1;
  private Hash validValue;
  private int validRound = -1;
  private final TreeMap<Integer, RoundState> rounds = new TreeMap<>();
  private final Map<Hash, Boolean> validity = new HashMap<>();
  private final Set<Hash> validationRequested = new HashSet<>();
  private int awaitingValueRound = -1;
  private final List<Event> future = new ArrayList<>();

  /** What this machine knows of one round of the current height. */
  private final class RoundState {
    final int number;
    final Map<Hash, Proposal> proposals = new LinkedHashMap<>();
    final VoteSet prevotes;
    final VoteSet precommits;
    final Set<Address> senders = new HashSet<>();
    long senderPower;
    boolean proposalEquivocationReported;
    boolean prevoteTimeoutScheduled;
    boolean precommitTimeoutScheduled;
    boolean prevoteQuorumSeen;

    RoundState(int number) {
      this.number = number;
      prevotes = new VoteSet(height, number, SignedVote.Type.PREVOTE, validators);
      precommits = new VoteSet(height, number, SignedVote.Type.PRECOMMIT, validators);
    }

    void sender(Address address) {
      if (senders.add(address)) {
        senderPower += validators.powerOf(address);
      }
    }

    VoteSet votes(SignedVote.Type type) {
      return type == SignedVote.Type.PREVOTE ? prevotes : precommits;
    }
  }

  public TendermintMachine(ConsensusSigner signer, VoteVerifier verifier, TimeoutConfig timeouts) {
    this.signer = signer;
    this.verifier = verifier;
    this.timeouts = timeouts;
  }

  /** Applies {@code event} and returns what the driver must now do, in order. */
  public List<Action> handle(Event event) {
    List<Action> out = new ArrayList<>();
    switch (event) {
      case Event.StartHeight e -> startHeight(e, out);
      case Event.ProposalReceived e -> {
        if (buffered(e)) {
          return out;
        }
        onProposal(e.proposal(), out);
      }
      case Event.VoteReceived e -> {
        if (buffered(e)) {
          return out;
        }
        onVote(e.vote(), out);
      }
      case Event.TimeoutFired e -> onTimeout(e, out);
      case Event.ValueValidated e -> {
        if (started && e.height() == height) {
          validity.put(e.value(), e.valid());
        }
      }
      case Event.ValueProposed e -> onValueProposed(e, out);
    }
    applyRules(out);
    return out;
  }

  // ---- events -------------------------------------------------------------------------------

  private void startHeight(Event.StartHeight e, List<Action> out) {
    if (e.height() < height || (e.height() == height && started)) {
      throw new IllegalStateException(
          "StartHeight " + e.height() + " but the machine is at height " + height);
    }
    height = e.height();
    started = true;
    validators = e.validators();
    rotation = new ProposerRotation(validators);
    lockedValue = null;
    lockedRound = -1;
    validValue = null;
    validRound = -1;
    rounds.clear();
    validity.clear();
    validationRequested.clear();
    awaitingValueRound = -1;
    startRound(0, out);
    List<Event> pending = new ArrayList<>(future);
    future.clear();
    for (Event m : pending) {
      if (m.height() == height) {
        switch (m) {
          case Event.ProposalReceived p -> onProposal(p.proposal(), out);
          case Event.VoteReceived v -> onVote(v.vote(), out);
          default -> {}
        }
      } else if (m.height() == height + 1) {
        future.add(m);
      }
    }
  }

  /** Keeps messages for the height after this one; drops older and farther ones. */
  private boolean buffered(Event message) {
    long h = message.height();
    if (started && h == height) {
      return false;
    }
    boolean next = started ? h == height + 1 : h == height || h == height + 1;
    if (next && future.size() < MAX_FUTURE_MESSAGES) {
      future.add(message);
    }
    return true;
  }

  private void onProposal(Proposal p, List<Action> out) {
    Address expected = rotation.proposer(height, p.round());
    if (!expected.equals(p.proposer())) {
      out.add(new Action.RefusedProposal(p, expected));
      return;
    }
    RoundState rs = roundState(p.round());
    if (p.equals(rs.proposals.get(p.value()))) {
      return;
    }
    if (!verifier.verify(p)) {
      return;
    }
    if (!rs.proposals.isEmpty() && !rs.proposals.containsKey(p.value())) {
      Proposal first = rs.proposals.values().iterator().next();
      if (!rs.proposalEquivocationReported) {
        rs.proposalEquivocationReported = true;
        out.add(new Action.ProposalEvidence(first, p));
      }
      // A second proposal is kept only when honest validators vouch for its value, so a
      // Byzantine proposer cannot fill memory, yet a node still learns the value that others
      // may lock on or decide.
      if (!vouched(rs, p)) {
        return;
      }
    }
    rs.proposals.put(p.value(), p);
    rs.sender(p.proposer());
    requestValidation(p, out);
  }

  private boolean vouched(RoundState rs, Proposal p) {
    Optional<Hash> v = Optional.of(p.value());
    if (validators.isOneThird(rs.prevotes.powerFor(v))
        || validators.isOneThird(rs.precommits.powerFor(v))) {
      return true;
    }
    RoundState vr = p.validRound() >= 0 ? rounds.get(p.validRound()) : null;
    return vr != null && validators.isOneThird(vr.prevotes.powerFor(v));
  }

  private void requestValidation(Proposal p, List<Action> out) {
    if (!validity.containsKey(p.value()) && validationRequested.add(p.value())) {
      out.add(new Action.ValidateRequest(height, p.round(), p.value()));
    }
  }

  private void onVote(SignedVote vote, List<Action> out) {
    if (!validators.contains(vote.validator())) {
      return;
    }
    RoundState rs = roundState(vote.round());
    VoteSet set = rs.votes(vote.type());
    if (set.contains(vote) || !verifier.verify(vote)) {
      return;
    }
    set.add(vote).ifPresent(out::add);
    rs.sender(vote.validator());
  }

  private void onTimeout(Event.TimeoutFired e, List<Action> out) {
    if (!started || e.height() != height || e.round() != round) {
      return;
    }
    switch (e.step()) {
      case PROPOSE -> {
        // Lines 57-60.
        if (step == Step.PROPOSE) {
          vote(SignedVote.Type.PREVOTE, Optional.empty(), out);
          step = Step.PREVOTE;
        }
      }
      case PREVOTE -> {
        // Lines 61-64.
        if (step == Step.PREVOTE) {
          vote(SignedVote.Type.PRECOMMIT, Optional.empty(), out);
          step = Step.PRECOMMIT;
        }
      }
      // Lines 65-67.
      case PRECOMMIT -> startRound(round + 1, out);
    }
  }

  private void onValueProposed(Event.ValueProposed e, List<Action> out) {
    if (!started || e.height() != height || e.round() != round || awaitingValueRound != round) {
      return;
    }
    awaitingValueRound = -1;
    if (step != Step.PROPOSE) {
      return;
    }
    // Our own block: the application built and executed it, so it is valid by construction.
    validity.put(e.value(), true);
    propose(e.value(), -1, out);
  }

  // ---- the algorithm ------------------------------------------------------------------------

  /**
   * Lines 11-21, except that the proposer also schedules timeoutPropose, as CometBFT does: if its
   * application never answers, or its guard refuses a proposal it cannot remember making before a
   * crash, it still moves on instead of waiting for others to drag it to a later round.
   */
  private void startRound(int r, List<Action> out) {
    round = r;
    step = Step.PROPOSE;
    awaitingValueRound = -1;
    roundState(r);
    if (rotation.proposer(height, r).equals(signer.address())) {
      if (validValue != null) {
        propose(validValue, validRound, out);
      } else {
        awaitingValueRound = r;
        out.add(new Action.ProposeRequest(height, r));
      }
    }
    out.add(
        new Action.ScheduleTimeout(Step.PROPOSE, height, r, timeouts.duration(Step.PROPOSE, r)));
  }

  private void propose(Hash value, int vr, List<Action> out) {
    Optional<Proposal> signed = signer.signProposal(height, round, value, vr);
    if (signed.isEmpty()) {
      return;
    }
    RoundState rs = roundState(round);
    rs.proposals.putIfAbsent(value, signed.get());
    rs.sender(signer.address());
    out.add(new Action.BroadcastProposal(signed.get()));
  }

  private void vote(SignedVote.Type type, Optional<Hash> value, List<Action> out) {
    Optional<SignedVote> signed = signer.signVote(type, height, round, value);
    if (signed.isEmpty()) {
      // The guard refused: this node signed something else for this step, or a later step,
      // before a restart. Saying nothing is safe; the step still advances as if the vote had been
      // sent. The vote it did sign is not lost: JournaledMachine logged it, and the replay handed
      // it back to this machine to count and to gossip.
      return;
    }
    if (validators.contains(signer.address())) {
      RoundState rs = roundState(round);
      rs.votes(type).add(signed.get()).ifPresent(out::add);
      rs.sender(signer.address());
    }
    out.add(new Action.BroadcastVote(signed.get()));
  }

  private void applyRules(List<Action> out) {
    boolean fired = true;
    while (started && fired) {
      fired = decideRule(out) || roundSkipRule(out) || stepRules(out);
    }
  }

  /** Lines 49-54, for any round of this height. */
  private boolean decideRule(List<Action> out) {
    for (RoundState rs : rounds.values()) {
      Optional<Hash> v = rs.precommits.quorumBlock();
      if (v.isEmpty()) {
        continue;
      }
      Proposal proposal = rs.proposals.get(v.get());
      if (proposal != null && Boolean.TRUE.equals(validity.get(v.get()))) {
        out.add(new Action.CommitValue(height, proposal, rs.precommits.votesFor(v)));
        started = false;
        height++;
        return true;
      }
    }
    return false;
  }

  /** Lines 55-56: f+1 of the power sent something for a later round; join the latest such. */
  private boolean roundSkipRule(List<Action> out) {
    for (RoundState rs : rounds.descendingMap().headMap(round, false).values()) {
      if (validators.isOneThird(rs.senderPower)) {
        startRound(rs.number, out);
        return true;
      }
    }
    return false;
  }

  private boolean stepRules(List<Action> out) {
    RoundState rs = roundState(round);
    if (step == Step.PROPOSE) {
      for (Proposal p : rs.proposals.values()) {
        Boolean valid = validity.get(p.value());
        if (p.validRound() == -1) {
          // Lines 22-27.
          if (valid == null) {
            continue;
          }
          boolean ok = valid && (lockedRound == -1 || p.value().equals(lockedValue));
          vote(SignedVote.Type.PREVOTE, ok ? Optional.of(p.value()) : Optional.empty(), out);
          step = Step.PREVOTE;
          return true;
        }
        RoundState vr = rounds.get(p.validRound());
        if (vr != null && vr.prevotes.hasQuorumFor(Optional.of(p.value()))) {
          // Lines 28-33.
          if (valid == null) {
            continue;
          }
          boolean ok = valid && (lockedRound <= p.validRound() || p.value().equals(lockedValue));
          vote(SignedVote.Type.PREVOTE, ok ? Optional.of(p.value()) : Optional.empty(), out);
          step = Step.PREVOTE;
          return true;
        }
      }
    }
    if (step == Step.PREVOTE && !rs.prevoteTimeoutScheduled && rs.prevotes.hasQuorumAny()) {
      // Lines 34-35.
      rs.prevoteTimeoutScheduled = true;
      out.add(
          new Action.ScheduleTimeout(
              Step.PREVOTE, height, round, timeouts.duration(Step.PREVOTE, round)));
    }
    if (step != Step.PROPOSE && !rs.prevoteQuorumSeen) {
      // Lines 36-43.
      Optional<Hash> v = rs.prevotes.quorumBlock();
      if (v.isPresent()
          && rs.proposals.containsKey(v.get())
          && Boolean.TRUE.equals(validity.get(v.get()))) {
        rs.prevoteQuorumSeen = true;
        if (step == Step.PREVOTE) {
          lockedValue = v.get();
          lockedRound = round;
          vote(SignedVote.Type.PRECOMMIT, v, out);
          step = Step.PRECOMMIT;
        }
        validValue = v.get();
        validRound = round;
        return true;
      }
    }
    if (step == Step.PREVOTE && rs.prevotes.hasQuorumFor(Optional.empty())) {
      // Lines 44-46.
      vote(SignedVote.Type.PRECOMMIT, Optional.empty(), out);
      step = Step.PRECOMMIT;
      return true;
    }
    if (!rs.precommitTimeoutScheduled && rs.precommits.hasQuorumAny()) {
      // Lines 47-48.
      rs.precommitTimeoutScheduled = true;
      out.add(
          new Action.ScheduleTimeout(
              Step.PRECOMMIT, height, round, timeouts.duration(Step.PRECOMMIT, round)));
    }
    return false;
  }

  private RoundState roundState(int r) {
    return rounds.computeIfAbsent(r, RoundState::new);
  }

  // ---- queries, for the driver's gossip and for tests --------------------------------------

  /** The validator this machine signs for. */
  public Address address() {
    return signer.address();
  }

  /** The height being decided, or awaiting {@link Event.StartHeight} after a commit. */
  public long height() {
    return height;
  }

  /** Whether the current height has started and is not yet decided. */
  public boolean started() {
    return started;
  }

  public int round() {
    return round;
  }

  public Step step() {
    return step;
  }

  public Optional<Hash> lockedValue() {
    return Optional.ofNullable(lockedValue);
  }

  public int lockedRound() {
    return lockedRound;
  }

  public Optional<Hash> validValue() {
    return Optional.ofNullable(validValue);
  }

  public int validRound() {
    return validRound;
  }

  /** The proposer of (height, round) under the current validators. */
  public Address proposer(long h, int r) {
    return rotation.proposer(h, r);
  }

  /** Every proposal this machine holds for the current height, by round. */
  public List<Proposal> proposals() {
    List<Proposal> out = new ArrayList<>();
    for (RoundState rs : rounds.values()) {
      out.addAll(rs.proposals.values());
    }
    return out;
  }

  /** Every vote this machine counts for the current height, by round. */
  public List<SignedVote> votes() {
    List<SignedVote> out = new ArrayList<>();
    for (RoundState rs : rounds.values()) {
      out.addAll(rs.prevotes.votes());
      out.addAll(rs.precommits.votes());
    }
    return out;
  }
}
