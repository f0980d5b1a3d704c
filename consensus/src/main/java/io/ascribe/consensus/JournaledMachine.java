package io.ascribe.consensus;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TendermintMachine} whose inputs go to a {@link ConsensusWal} before it sees them, and
 * that is synced before any message of ours is returned for sending: whatever this node told
 * others, a restart can reproduce. {@link #recover} is that restart.
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
   * height into it. The returned actions repeat the node's earlier messages (the signing guard lets
   * the identical ones through) and re-arm its timeouts; the driver carries them out as usual.
   */
  public static Recovered recover(
      TendermintMachine machine, ConsensusWal wal, Event.StartHeight start) {
    List<Event> logged = wal.replay();
    List<Action> actions = new ArrayList<>(machine.handle(start));
    for (Event event : logged) {
      if (event.height() >= start.height()) {
        actions.addAll(machine.handle(event));
      }
    }
    return new Recovered(new JournaledMachine(machine, wal), actions);
  }

  public List<Action> handle(Event event) {
    if (event instanceof Event.StartHeight start) {
      wal.startHeight(start.height());
    } else {
      wal.append(event);
    }
    List<Action> actions = machine.handle(event);
    for (Action action : actions) {
      if (action instanceof Action.BroadcastVote || action instanceof Action.BroadcastProposal) {
        wal.sync();
        break;
      }
    }
    return actions;
  }

  public TendermintMachine machine() {
    return machine;
  }
}
