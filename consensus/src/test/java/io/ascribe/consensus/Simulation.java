package io.ascribe.consensus;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;

/**
 * One seeded run of N validators on a simulated network, in virtual time with no threads: a
 * priority queue of timed deliveries. The network delays, drops, duplicates and reorders messages
 * and splits the nodes in two until a seeded heal time; one honest node may crash (losing its
 * unsynced WAL tail) and restart from its WAL and signing guard; up to f Byzantine nodes
 * double-propose and double-vote. Nodes gossip: every tick each asks a random peer for what it is
 * missing at its height, and a peer that is ahead answers with the decided height's proposal and
 * precommits. {@link #run} throws {@link AssertionError} on any safety or liveness violation.
 */
final class Simulation {
  /** Heights each honest node must commit after the network is stable. */
  static final int LIVENESS_HEIGHTS = 3;

  /** Virtual time allowed for them after the network is stable. */
  static final long LIVENESS_BOUND_MS = 120_000;

  /**
   * {@code -Dascribe.sim.trace}: print every delivery, action, crash and restart to stderr, for
   * reading one seed's run (with {@code -Dascribe.sim.seed}).
   */
  private static final boolean TRACE = Boolean.getBoolean("ascribe.sim.trace");

  private static final long GOSSIP_MS = 150;
  private static final TimeoutConfig TIMEOUTS = new TimeoutConfig(300, 100, 200, 100, 200, 100);

  private final long seed;
  private final Random rnd;
  private final int n;
  private final List<Address> addresses = new ArrayList<>();
  private final Validators validators;
  private final Node[] nodes;
  private final PriorityQueue<Item> queue = new PriorityQueue<>();
  private final TreeMap<Long, Hash> decided = new TreeMap<>();
  private final boolean[] sideA;
  private final long healAt;
  private final double dropRate;
  private final double duplicateRate;
  private final int maxDelay;
  private long now;
  private long sequence;
  private long stableAt;
  private int evidenceSeen;

  /** Something delivered at a virtual time; ties break by insertion order for determinism. */
  private record Item(long time, long seq, int node, int incarnation, Object payload)
      implements Comparable<Item> {
    @Override
    public int compareTo(Item o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private record Net(int from, Event message) {}

  private record Status(int from, long height) {}

  private record Local(Event event) {}

  private enum Control {
    GOSSIP,
    CRASH,
    RESTART
  }

  private final class Node {
    final int index;
    final boolean byzantine;
    final TestCrypto.MemoryGuardStore guardStore = new TestCrypto.MemoryGuardStore();
    final TestCrypto.MemoryWal wal = new TestCrypto.MemoryWal();
    final TreeMap<Long, Action.CommitValue> committed = new TreeMap<>();
    int commitsAfterStable;
    JournaledMachine machine;
    boolean up = true;
    int incarnation;

    Node(int index, boolean byzantine) {
      this.index = index;
      this.byzantine = byzantine;
    }

    TendermintMachine fresh() {
      Optional<SigningGuard> guard =
          byzantine ? Optional.empty() : Optional.of(new DurableSigningGuard(guardStore));
      return new TendermintMachine(
          TestCrypto.signer(index, guard), TestCrypto.verifier(addresses), TIMEOUTS);
    }

    long nextHeight() {
      return committed.isEmpty() ? 1 : committed.lastKey() + 1;
    }
  }

  Simulation(long seed) {
    this.seed = seed;
    this.rnd = new Random(seed);
    n = 4 + rnd.nextInt(4);
    boolean equalPower = rnd.nextBoolean();
    List<Validators.Validator> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      addresses.add(TestCrypto.address(i));
      list.add(new Validators.Validator(addresses.get(i), equalPower ? 10 : 1 + rnd.nextInt(5)));
    }
    validators = new Validators(list);
    // Byzantine nodes: up to f of them, and strictly less than a third of the power.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, rnd);
    int wanted = rnd.nextInt((n - 1) / 3 + 1);
    boolean[] byzantine = new boolean[n];
    long byzantinePower = 0;
    for (int i : order) {
      long p = list.get(i).power();
      if (wanted > 0 && 3 * (byzantinePower + p) < validators.totalPower()) {
        byzantine[i] = true;
        byzantinePower += p;
        wanted--;
      }
    }
    nodes = new Node[n];
    sideA = new boolean[n];
    for (int i = 0; i < n; i++) {
      nodes[i] = new Node(i, byzantine[i]);
      sideA[i] = rnd.nextBoolean();
    }
    healAt = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(6000);
    dropRate = rnd.nextDouble() * 0.2;
    duplicateRate = rnd.nextDouble() * 0.1;
    maxDelay = 5 + rnd.nextInt(150);
    stableAt = healAt;
  }

  /** Runs to the liveness goal; returns the number of heights the slowest honest node reached. */
  long run() {
    for (Node node : nodes) {
      at(rnd.nextInt((int) GOSSIP_MS), node, Control.GOSSIP);
      node.machine = new JournaledMachine(node.fresh(), node.wal);
      apply(node, node.machine.handle(start(node)));
    }
    List<Node> honest = new ArrayList<>();
    for (Node node : nodes) {
      if (!node.byzantine) {
        honest.add(node);
      }
    }
    if (rnd.nextBoolean()) {
      Node victim = honest.get(rnd.nextInt(honest.size()));
      long crashAt = rnd.nextInt(5000);
      long restartAt = crashAt + 50 + rnd.nextInt(3000);
      at(crashAt, victim, Control.CRASH);
      at(restartAt, victim, Control.RESTART);
      stableAt = Math.max(stableAt, restartAt);
    }
    long deadline = stableAt + LIVENESS_BOUND_MS;
    while (!queue.isEmpty()) {
      Item item = queue.poll();
      now = item.time();
      if (now > deadline) {
        break;
      }
      Node node = nodes[item.node()];
      if (item.payload() instanceof Control c) {
        control(node, c);
      } else if (node.up && item.incarnation() == node.incarnation) {
        deliver(node, item.payload());
      }
      if (now >= stableAt
          && honest.stream().allMatch(h -> h.commitsAfterStable >= LIVENESS_HEIGHTS)) {
        return honest.stream().mapToLong(h -> h.committed.size()).min().orElseThrow();
      }
    }
    StringBuilder state = new StringBuilder();
    for (Node node : honest) {
      TendermintMachine m = node.machine.machine();
      state.append(
          String.format(
              "%n  node %d: committed %d (%d after stable), height %d round %d step %s up %s",
              node.index,
              node.committed.size(),
              node.commitsAfterStable,
              m.height(),
              m.round(),
              m.step(),
              node.up));
      // What it holds and what its guard last signed: enough to tell a lost message from a
      // missing rule, which the step alone cannot.
      for (Proposal p : m.proposals()) {
        state.append(
            String.format(
                "%n    proposal by %d round %d %s validRound %d",
                addresses.indexOf(p.proposer()), p.round(), shortHash(p.value()), p.validRound()));
      }
      for (SignedVote v : m.votes()) {
        state.append(
            String.format(
                "%n    %s by %d round %d %s",
                v.type(),
                addresses.indexOf(v.validator()),
                v.round(),
                v.value().map(Simulation::shortHash).orElse("nil")));
      }
      node.guardStore
          .load()
          .ifPresent(
              g ->
                  state.append(
                      String.format(
                          "%n    guard last signed height %d round %d %s %s",
                          g.height(), g.round(), g.step(), shortHash(g.digest()))));
    }
    throw new AssertionError(
        "seed "
            + seed
            + ": liveness: not every honest node committed "
            + LIVENESS_HEIGHTS
            + " heights within "
            + LIVENESS_BOUND_MS
            + " ms of "
            + stableAt
            + " ("
            + describe()
            + ")"
            + state);
  }

  String describe() {
    long byz = 0;
    List<Long> powers = new ArrayList<>();
    for (Node node : nodes) {
      byz += node.byzantine ? 1 : 0;
      powers.add(validators.powerOf(addresses.get(node.index)));
    }
    return String.format(
        "n=%d powers=%s byzantine=%d heal=%d drop=%.2f dup=%.2f delay<=%d",
        n, powers, byz, healAt, dropRate, duplicateRate, maxDelay);
  }

  private static String shortHash(Hash h) {
    return h.toString().substring(0, 10);
  }

  int evidenceSeen() {
    return evidenceSeen;
  }

  private Event.StartHeight start(Node node) {
    return new Event.StartHeight(node.nextHeight(), validators);
  }

  private void control(Node node, Control c) {
    if (TRACE && c != Control.GOSSIP) {
      System.err.println(now + " node " + node.index + " " + c);
    }
    switch (c) {
      case GOSSIP -> {
        at(GOSSIP_MS / 2 + rnd.nextInt((int) GOSSIP_MS), node, Control.GOSSIP);
        if (node.up) {
          int peer = rnd.nextInt(n - 1);
          peer = peer >= node.index ? peer + 1 : peer;
          send(node.index, peer, new Status(node.index, node.machine.machine().height()));
        }
      }
      case CRASH -> {
        node.up = false;
        node.incarnation++;
        node.wal.crash();
      }
      case RESTART -> {
        node.up = true;
        JournaledMachine.Recovered r =
            JournaledMachine.recover(node.fresh(), node.wal, start(node));
        node.machine = r.machine();
        apply(node, r.actions());
      }
    }
  }

  private void deliver(Node node, Object payload) {
    if (TRACE && !(payload instanceof Status)) {
      System.err.println(now + " node " + node.index + " <- " + payload);
    }
    switch (payload) {
      case Net net -> apply(node, node.machine.handle(net.message()));
      case Local local -> apply(node, node.machine.handle(local.event()));
      case Status status -> answer(node, status);
      default -> throw new IllegalStateException("unknown payload " + payload);
    }
  }

  /** Gossip: send the asking peer what it may lack at its height. */
  private void answer(Node node, Status status) {
    TendermintMachine m = node.machine.machine();
    Action.CommitValue commit = node.committed.get(status.height());
    if (commit != null) {
      for (SignedVote v : commit.precommits()) {
        send(node.index, status.from(), new Event.VoteReceived(v));
      }
      send(node.index, status.from(), new Event.ProposalReceived(commit.proposal()));
    } else if (m.started() && m.height() == status.height()) {
      for (Proposal p : m.proposals()) {
        send(node.index, status.from(), new Event.ProposalReceived(p));
      }
      for (SignedVote v : m.votes()) {
        send(node.index, status.from(), new Event.VoteReceived(v));
      }
    }
  }

  private void apply(Node node, List<Action> actions) {
    for (Action action : actions) {
      if (TRACE) {
        System.err.println(now + " node " + node.index + " -> " + action);
      }
      switch (action) {
        case Action.BroadcastProposal b -> broadcastProposal(node, b.proposal());
        case Action.BroadcastVote b -> broadcastVote(node, b.vote());
        case Action.ScheduleTimeout t ->
            at(
                t.millis(),
                node,
                new Local(new Event.TimeoutFired(t.step(), t.height(), t.round())));
        case Action.ProposeRequest p ->
            at(
                1 + rnd.nextInt(20),
                node,
                new Local(
                    new Event.ValueProposed(
                        p.height(), p.round(), value(node, p.height(), p.round(), true))));
        case Action.ValidateRequest v ->
            at(
                1 + rnd.nextInt(30),
                node,
                new Local(new Event.ValueValidated(v.height(), v.value(), isValid(v.value()))));
        case Action.CommitValue c -> commit(node, c);
        case Action.Evidence e -> {
          evidenceSeen++;
          check(
              nodes[addresses.indexOf(e.first().validator())].byzantine,
              "evidence against an honest validator: " + e);
        }
        case Action.RefusedProposal r ->
            check(
                nodes[addresses.indexOf(r.proposal().proposer())].byzantine,
                "refused a proposal of an honest validator: " + r);
        case Action.ProposalEvidence e -> {
          evidenceSeen++;
          check(
              nodes[addresses.indexOf(e.first().proposer())].byzantine,
              "proposal evidence against an honest validator: " + e);
        }
      }
    }
  }

  private void commit(Node node, Action.CommitValue c) {
    check(c.height() == node.nextHeight(), "commit out of order at node " + node.index);
    long power = 0;
    for (SignedVote v : c.precommits()) {
      check(
          v.value().equals(Optional.of(c.value())) && v.round() == c.proposal().round(),
          "commit holds a foreign precommit");
      power += validators.powerOf(v.validator());
    }
    check(validators.isQuorum(power), "commit without a quorum of precommits");
    check(isValid(c.value()), "node " + node.index + " committed an invalid value");
    node.committed.put(c.height(), c);
    if (!node.byzantine) {
      Hash earlier = decided.putIfAbsent(c.height(), c.value());
      check(
          earlier == null || earlier.equals(c.value()),
          "safety: two different commits at height "
              + c.height()
              + ": "
              + earlier
              + " and "
              + c.value());
      if (now >= stableAt) {
        node.commitsAfterStable++;
      }
    }
    apply(node, node.machine.handle(start(node)));
  }

  private void broadcastProposal(Node node, Proposal p) {
    if (node.byzantine && rnd.nextBoolean()) {
      // Double-propose: half the peers get another block, valid or not.
      Hash other = value(node, p.height(), p.round() + 1000, rnd.nextBoolean());
      Proposal second =
          TestCrypto.signer(node.index, Optional.empty())
              .signProposal(p.height(), p.round(), other, -1)
              .orElseThrow();
      split(node, new Event.ProposalReceived(p), new Event.ProposalReceived(second));
      return;
    }
    for (int to = 0; to < n; to++) {
      if (to != node.index) {
        send(node.index, to, new Event.ProposalReceived(p));
      }
    }
  }

  private void broadcastVote(Node node, SignedVote v) {
    if (node.byzantine && rnd.nextBoolean()) {
      // Double-vote: nil against a block, or a block it saw proposed (or a made-up one) against
      // nil.
      Optional<Hash> other = Optional.empty();
      if (v.isNil()) {
        List<Proposal> seen = node.machine.machine().proposals();
        other =
            Optional.of(
                seen.isEmpty()
                    ? value(node, v.height(), v.round() + 2000, true)
                    : seen.get(rnd.nextInt(seen.size())).value());
      }
      SignedVote second =
          TestCrypto.signer(node.index, Optional.empty())
              .signVote(v.type(), v.height(), v.round(), other)
              .orElseThrow();
      split(node, new Event.VoteReceived(v), new Event.VoteReceived(second));
      return;
    }
    for (int to = 0; to < n; to++) {
      if (to != node.index) {
        send(node.index, to, new Event.VoteReceived(v));
      }
    }
  }

  private void split(Node node, Event first, Event second) {
    for (int to = 0; to < n; to++) {
      if (to != node.index) {
        send(node.index, to, rnd.nextBoolean() ? first : second);
      }
    }
  }

  private void send(int from, int to, Object message) {
    Object payload = message instanceof Event e ? new Net(from, e) : message;
    if (now < healAt && sideA[from] != sideA[to]) {
      return;
    }
    if (rnd.nextDouble() < dropRate) {
      return;
    }
    Node target = nodes[to];
    at(1 + rnd.nextInt(maxDelay), target, payload);
    if (rnd.nextDouble() < duplicateRate) {
      at(1 + rnd.nextInt(maxDelay), target, payload);
    }
  }

  private void at(long delay, Node node, Object payload) {
    queue.add(new Item(now + delay, sequence++, node.index, node.incarnation, payload));
  }

  /** A block hash that the application will judge valid (even first byte) or invalid (odd). */
  private Hash value(Node node, long height, int round, boolean valid) {
    ByteBuffer b =
        ByteBuffer.allocate(28)
            .putLong(seed)
            .putInt(node.index)
            .putLong(height)
            .putInt(round)
            .putInt(rnd.nextInt());
    byte[] h = Keccak.hash(b.array()).toArray();
    h[0] = (byte) (valid ? h[0] & ~1 : h[0] | 1);
    return Hash.wrap(h);
  }

  private static boolean isValid(Hash value) {
    return (value.toArray()[0] & 1) == 0;
  }

  private void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("seed " + seed + ": " + what + " (" + describe() + ")");
    }
  }
}
