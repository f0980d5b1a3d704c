package io.ascribe.consensus;

import io.ascribe.core.types.Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link TendermintMachine} whose inputs go to a {@link ConsensusWal} before it sees them, and
 * that is synced, together with every message of ours, before any of them is returned for sending:
 * whatever this node told others, a restart still holds and re-sends. {@link #recover} is that
 * restart.
 */
public final class JournaledMachine {
  private final TendermintMachine machine;
  private final ConsensusWal wal;

  public JournaledMachine(TendermintMachine machine, ConsensusWal wal) {
    this.machine = machine;
    this.wal = wal;
  }

  /** What {@link #recover} rebuilt: the machine and the actions its replay produced. */
  public record Recovered(JournaledMachine machine, List<Action> actions) {}

  /**
   * Starts {@code start.height()} on a fresh {@code machine} and replays the log's events of that
   * height into it. The returned actions repeat the node's earlier messages and re-arm its
   * timeouts; the driver carries them out as usual.
   *
   * <p>Replaying the inputs alone cannot rebuild everything: the signing guard lets the identical
   * message through only at the last step it signed, so a proposal or prevote from an earlier step
   * cannot be signed again. That is why {@link #handle} also logs each message this node signed;
   * the replay hands them to the machine as if received (so it counts its own vote and holds its
   * own proposal for gossip), and they are all sent again here, since a crash may have come before
   * they reached anyone.
   */
  public static Recovered recover(
      TendermintMachine machine, ConsensusWal wal, Event.StartHeight start) {
    List<Event> logged = wal.replay();
    List<Action> actions = new ArrayList<>(machine.handle(start));
    // Each message once: the replay re-signs some of the logged ones.
    Set<Action> broadcasts = new HashSet<>();
    List<Action> own = new ArrayList<>();
    for (Event event : logged) {
      if (event.height() < start.height()) {
        continue;
      }
      for (Action action : machine.handle(event)) {
        if (!isBroadcast(action) || broadcasts.add(action)) {
          actions.add(action);
        }
      }
      ownMessage(machine, event).filter(broadcasts::add).ifPresent(own::add);
    }
    actions.addAll(own);
    return new Recovered(new JournaledMachine(machine, wal), actions);
  }

  /** The re-send of {@code event} when it is a message this node signed. */
  private static Optional<Action> ownMessage(TendermintMachine machine, Event event) {
    Address me = machine.address();
    return switch (event) {
      case Event.ProposalReceived e when e.proposal().proposer().equals(me) ->
          Optional.of(new Action.BroadcastProposal(e.proposal()));
      case Event.VoteReceived e when e.vote().validator().equals(me) ->
          Optional.of(new Action.BroadcastVote(e.vote()));
      default -> Optional.empty();
    };
  }

  private static boolean isBroadcast(Action action) {
    return action instanceof Action.BroadcastVote || action instanceof Action.BroadcastProposal;
  }

  public List<Action> handle(Event event) {
    if (event instanceof Event.StartHeight start) {
      wal.startHeight(start.height());
    } else {
      wal.append(event);
    }
    List<Action> actions = machine.handle(event);
    boolean signed = false;
    for (Action action : actions) {
      // What we signed goes into the log too, as the message it is: see recover for why.
      switch (action) {
        case Action.BroadcastVote b -> {
          wal.append(new Event.VoteReceived(b.vote()));
          signed = true;
        }
        case Action.BroadcastProposal b -> {
          wal.append(new Event.ProposalReceived(b.proposal()));
          signed = true;
        }
        default -> {}
      }
    }
    if (signed) {
      wal.sync();
    }
    return actions;
  }

  public TendermintMachine machine() {
    return machine;
  }
}
