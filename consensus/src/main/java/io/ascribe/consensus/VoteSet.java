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
 * The prevotes or precommits of one (height, round), with the power behind each value. Only a
 * validator's first vote counts: a second, different vote is equivocation and comes back as {@link
 * Action.Evidence} (once per validator), so a double-voter can never add power to two values.
 */
public final class VoteSet {
  private final long height;
  private final int round;
  private final SignedVote.Type type;
  private final Validators validators;
  private final Map<Address, SignedVote> votes = new LinkedHashMap<>();
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
    return vote.equals(votes.get(vote.validator()));
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
    SignedVote earlier = votes.get(vote.validator());
    if (earlier == null) {
      votes.put(vote.validator(), vote);
      powerByValue.merge(vote.value(), power, Long::sum);
      votedPower += power;
      return Optional.empty();
    }
    if (earlier.value().equals(vote.value()) || !equivocators.add(vote.validator())) {
      // The same vote again (perhaps re-signed), or an equivocation already reported.
      return Optional.empty();
    }
    return Optional.of(new Action.Evidence(earlier, vote));
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
    for (SignedVote v : votes.values()) {
      if (v.value().equals(value)) {
        out.add(v);
      }
    }
    return out;
  }

  /** Every counted vote, in arrival order. */
  public List<SignedVote> votes() {
    return List.copyOf(votes.values());
  }
}
