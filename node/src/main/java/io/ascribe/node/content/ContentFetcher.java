package io.ascribe.node.content;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.ContentPart;
import io.ascribe.core.proto.ContentRequest;
import io.ascribe.core.proto.ContentResponse;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.p2p.Misbehaviour;
import io.ascribe.p2p.Peer;
import io.ascribe.p2p.PeerListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets content by hash: from the node's {@link ContentStore} when it is there, else from connected
 * peers, asked one after another in the order they connected (the longest-standing first). A blob
 * that arrives is put back together from its parts and checked against its hash before anything
 * trusts it: a peer whose bytes do not match is charged {@link Misbehaviour#CONTENT_MISMATCH}
 * (which drops it) and the next peer is asked. A verified blob is stored locally, so the node can
 * serve it in turn. A peer that says it lacks the blob, goes away or stays silent for {@link
 * #PEER_TIMEOUT} is passed over; when every peer was asked, the round starts again a moment later,
 * until the fetch's own timeout fails it with a {@link ContentUnavailableException}. Everything a
 * fetch does runs on one thread of its own, never on a network thread.
 */
public final class ContentFetcher implements PeerListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ContentFetcher.class);

  /** How long one peer has to answer (all of a blob's parts) before the next is asked. */
  public static final Duration PEER_TIMEOUT = Duration.ofSeconds(10);

  /** After every connected peer was asked in vain, the next round starts this much later. */
  static final Duration RETRY_DELAY = Duration.ofMillis(250);

  private final ContentStore store;
  private final Map<Address, Peer> peers = new LinkedHashMap<>();
  private final Map<Long, Fetch> pending = new ConcurrentHashMap<>();
  private final Set<Fetch> active = ConcurrentHashMap.newKeySet();
  private final AtomicLong requestIds = new AtomicLong();
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "content-fetch");
            t.setDaemon(true);
            return t;
          });

  public ContentFetcher(ContentStore store) {
    this.store = store;
  }

  /**
   * The bytes whose keccak256 is {@code hash}: at once from the local store, else from a peer
   * within {@code timeout}.
   *
   * @return a future that fails with {@link ContentUnavailableException} when no peer served the
   *     bytes in time
   */
  public CompletableFuture<byte[]> fetch(Hash hash, Duration timeout) {
    Optional<byte[]> local = store.get(hash);
    if (local.isPresent()) {
      return CompletableFuture.completedFuture(local.get());
    }
    Fetch fetch = new Fetch(hash, timeout);
    active.add(fetch);
    fetch.future.whenComplete((bytes, failure) -> active.remove(fetch));
    try {
      fetch.deadline =
          thread.schedule(fetch::expire, Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
      thread.execute(fetch::askNext);
    } catch (RejectedExecutionException closed) {
      fetch.future.completeExceptionally(new IllegalStateException("the node is shutting down"));
    }
    return fetch.future;
  }

  /** The peers content is asked of, in the order they are asked. */
  public List<Address> peers() {
    synchronized (peers) {
      return List.copyOf(peers.keySet());
    }
  }

  @Override
  public void onPeer(Peer peer) {
    synchronized (peers) {
      // A peer that reconnects goes to the back of the line.
      peers.remove(peer.nodeId());
      peers.put(peer.nodeId(), peer);
    }
  }

  @Override
  public void onDisconnect(Peer peer, String reason) {
    synchronized (peers) {
      peers.remove(peer.nodeId(), peer);
    }
    run(
        () -> {
          for (Fetch fetch : List.copyOf(pending.values())) {
            fetch.onGone(peer);
          }
        });
  }

  @Override
  public void onMessage(Peer peer, PeerMessage message) {
    if (message.hasContentResponse()) {
      ContentResponse response = message.getContentResponse();
      Fetch fetch = pending.get(response.getRequestId());
      if (fetch != null) {
        run(() -> fetch.onResponse(peer, response));
      }
    }
  }

  private void run(Runnable task) {
    try {
      thread.execute(task);
    } catch (RejectedExecutionException closed) {
      // Stopping: the pending fetches were failed by close.
    }
  }

  /** One hash being fetched; its methods run on the fetch thread only. */
  private final class Fetch {
    final Hash hash;
    final Duration timeout;
    final CompletableFuture<byte[]> future = new CompletableFuture<>();
    final Set<Address> askedThisRound = new HashSet<>();
    ScheduledFuture<?> deadline;
    int requests;

    /** The request in flight: to whom, its id, the bytes received so far and its own timeout. */
    Peer asked;

    long requestId = -1;
    byte[] received;
    int receivedBytes;
    ScheduledFuture<?> peerTimeout;

    Fetch(Hash hash, Duration timeout) {
      this.hash = hash;
      this.timeout = timeout;
    }

    void askNext() {
      endAttempt();
      if (future.isDone()) {
        return;
      }
      Optional<Peer> next;
      synchronized (peers) {
        next =
            peers.values().stream()
                .filter(p -> p.isConnected() && !askedThisRound.contains(p.nodeId()))
                .findFirst();
      }
      if (next.isEmpty()) {
        // Everyone was asked (or no one is connected yet): try again later, until the deadline.
        askedThisRound.clear();
        peerTimeout = thread.schedule(this::askNext, RETRY_DELAY.toNanos(), TimeUnit.NANOSECONDS);
        return;
      }
      asked = next.get();
      askedThisRound.add(asked.nodeId());
      requestId = requestIds.incrementAndGet();
      requests++;
      pending.put(requestId, this);
      long id = requestId;
      peerTimeout =
          thread.schedule(() -> timedOut(id), PEER_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
      asked.send(
          PeerMessage.newBuilder()
              .setContentRequest(
                  ContentRequest.newBuilder()
                      .setRequestId(requestId)
                      .addHashes(ByteString.copyFrom(hash.toArray())))
              .build());
    }

    void timedOut(long id) {
      if (id == requestId && !future.isDone()) {
        LOG.info("Peer {} did not serve content {} within {}", asked, hash, PEER_TIMEOUT);
        askNext();
      }
    }

    void onGone(Peer peer) {
      if (asked != null && asked.nodeId().equals(peer.nodeId()) && !future.isDone()) {
        askNext();
      }
    }

    void onResponse(Peer peer, ContentResponse response) {
      if (future.isDone()
          || response.getRequestId() != requestId
          || !peer.nodeId().equals(asked.nodeId())) {
        return; // a late answer to a request already given up on
      }
      ByteString expected = ByteString.copyFrom(hash.toArray());
      for (ContentPart part : response.getPartsList()) {
        Optional<String> fault = take(expected, part);
        if (fault.isPresent()) {
          peer.penalise(Misbehaviour.MALFORMED_MESSAGE, fault.get());
          askNext();
          return;
        }
        if (receivedBytes == received.length) {
          finish(peer);
          return;
        }
      }
      if (response.getMissingList().contains(expected)) {
        askNext();
      }
    }

    /** Adds a part to the blob; a reason to charge the peer when the part does not fit. */
    private Optional<String> take(ByteString expected, ContentPart part) {
      if (!part.getHash().equals(expected)) {
        return Optional.of("it answered a request for content " + hash + " with another hash");
      }
      if (received == null) {
        if (part.getTotalSize() > ContentStore.MAX_BLOB_BYTES) {
          return Optional.of(
              "it offered content "
                  + hash
                  + " of "
                  + part.getTotalSize()
                  + " bytes, over the limit");
        }
        received = new byte[(int) part.getTotalSize()];
      }
      if (part.getTotalSize() != received.length
          || part.getOffset() != receivedBytes
          || part.getData().size() > received.length - receivedBytes) {
        return Optional.of("it sent parts of content " + hash + " that do not fit together");
      }
      part.getData().copyTo(received, receivedBytes);
      receivedBytes += part.getData().size();
      return Optional.empty();
    }

    private void finish(Peer peer) {
      byte[] bytes = received;
      try {
        // Checks the bytes against the hash (once) before it keeps them.
        store.putVerified(hash, bytes);
      } catch (ContentMismatchException m) {
        peer.penalise(
            Misbehaviour.CONTENT_MISMATCH,
            "it served "
                + bytes.length
                + " bytes hashing to "
                + m.actual()
                + " as content "
                + hash);
        askNext();
        return;
      } catch (RuntimeException e) {
        // The bytes are right; a store that cannot keep them must not keep them from the caller.
        LOG.warn("Could not store fetched content {}: {}", hash, e.getMessage());
      }
      LOG.debug("Fetched content {} ({} bytes) from {}", hash, bytes.length, peer);
      endAttempt();
      deadline.cancel(false);
      future.complete(bytes);
    }

    void expire() {
      if (!future.isDone()) {
        endAttempt();
        future.completeExceptionally(new ContentUnavailableException(hash, timeout, requests));
      }
    }

    /** Forgets the request in flight, so that its late parts are ignored. */
    private void endAttempt() {
      if (peerTimeout != null) {
        peerTimeout.cancel(false);
        peerTimeout = null;
      }
      pending.remove(requestId);
      requestId = -1;
      asked = null;
      received = null;
      receivedBytes = 0;
    }
  }

  /** Fails every fetch still waiting and stops the fetch thread. */
  @Override
  public void close() {
    List<Fetch> waiting = new ArrayList<>(active);
    thread.shutdownNow();
    try {
      // A fetch may be writing to the store, which closes after this.
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Fetch fetch : waiting) {
      fetch.future.completeExceptionally(new IllegalStateException("the node is shutting down"));
    }
  }
}
