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

/**
 * The prevotes or precommits of one (height, round), with the power behind each value and behind
 * the round as a whole (each validator once). A validator's second, different vote is equivocation
 * and comes back as {@link Action.Evidence}, once per validator.
 */
public final class VoteSet {
  private final long height;
  private final int round;
  private final SignedVote.Type type;
  private final Validators validators;
  // Each validator's votes, first one first. An equivocator's later votes count towards their own
  // values as well, as the paper's message counting does: a quorum for v and one for v' still
  // share an honest validator, so this is safe, and it lets a node that saw a Byzantine node's
  // nil vote still recognise a decision that counted the same node's vote for a block. At most
  // MAX_VALUES_PER_VALIDATOR are kept so an equivocator cannot fill memory.
  private static final int MAX_VALUES_PER_VALIDATOR = 3;
  private final Map<Address, List<SignedVote>> votes = new LinkedHashMap<>();
  private final Map<Optional<Hash>, Long> powerByValue = new HashMap<>();
  private final Set<Address> equivocators = new HashSet<>();
  private long votedPower;

  public VoteSet(long height, int round, SignedVote.Type type, Validators validators) {
    this.height = height;
    this.round = round;
    this.type = type;
    this.validators = validators;
  }

  /** Whether exactly this vote is already counted (cheap, before checking a signature). */
  public boolean contains(SignedVote vote) {
    List<SignedVote> mine = votes.get(vote.validator());
    return mine != null && mine.contains(vote);
  }

  /**
   * Counts {@code vote}, whose signature the caller has checked. Returns evidence when it
   * contradicts the validator's earlier vote here.
   *
   * @throws IllegalArgumentException for a vote of another height, round or type, or from a
   *     non-validator
   */
  public Optional<Action.Evidence> add(SignedVote vote) {
    if (vote.height() != height || vote.round() != round || vote.type() != type) {
      throw new IllegalArgumentException("vote does not belong to this set: " + vote);
    }
    long power = validators.powerOf(vote.validator());
    if (power == 0) {
      throw new IllegalArgumentException("vote from a non-validator: " + vote.validator());
    }
    List<SignedVote> earlier = votes.computeIfAbsent(vote.validator(), a -> new ArrayList<>());
    for (SignedVote e : earlier) {
      if (e.value().equals(vote.value())) {
        return Optional.empty();
      }
    }
    if (earlier.size() >= MAX_VALUES_PER_VALIDATOR) {
      return Optional.empty();
    }
    earlier.add(vote);
    powerByValue.merge(vote.value(), power, Long::sum);
    if (earlier.size() == 1) {
      votedPower += power;
      return Optional.empty();
    }
    return equivocators.add(vote.validator())
        ? Optional.of(new Action.Evidence(earlier.get(0), vote))
        : Optional.empty();
  }

  /** The power that voted for {@code value} (empty: nil). */
  public long powerFor(Optional<Hash> value) {
    return powerByValue.getOrDefault(value, 0L);
  }

  /** The power of everyone who voted, whatever for. */
  public long votedPower() {
    return votedPower;
  }

  /** The paper's 2f+1 ⟨·, h, r, *⟩: more than 2/3 of the power voted, for anything. */
  public boolean hasQuorumAny() {
    return validators.isQuorum(votedPower);
  }

  /** The block with more than 2/3 of the power, if any (at most one can have it). */
  public Optional<Hash> quorumBlock() {
    for (Map.Entry<Optional<Hash>, Long> e : powerByValue.entrySet()) {
      if (e.getKey().isPresent() && validators.isQuorum(e.getValue())) {
        return e.getKey();
      }
    }
    return Optional.empty();
  }

  public boolean hasQuorumFor(Optional<Hash> value) {
    return validators.isQuorum(powerFor(value));
  }

  /** The counted votes for {@code value}, in arrival order. */
  public List<SignedVote> votesFor(Optional<Hash> value) {
    List<SignedVote> out = new ArrayList<>();
    for (List<SignedVote> mine : votes.values()) {
      for (SignedVote v : mine) {
        if (v.value().equals(value)) {
          out.add(v);
        }
      }
    }
    return out;
  }

  /** Every counted vote, in arrival order. */
  public List<SignedVote> votes() {
    List<SignedVote> out = new ArrayList<>();
    votes.values().forEach(out::addAll);
    return out;
  }
}
