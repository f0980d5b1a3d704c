package io.ascribe.node.content;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.ContentPart;
import io.ascribe.core.proto.ContentRequest;
import io.ascribe.core.proto.ContentResponse;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.types.Hash;
import io.ascribe.p2p.Misbehaviour;
import io.ascribe.p2p.Peer;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers peers' {@link ContentRequest}s from the node's {@link ContentStore}. The blobs asked for
 * go back as parts of at most {@link #RESPONSE_BYTES} per message, far under the p2p frame limit,
 * so a 16 MiB blob travels as several messages that the asker puts back together; the hashes the
 * node does not hold are listed as missing in the last message. Store reads run on a thread of
 * their own, not the network thread that read the request.
 */
public final class ContentServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ContentServer.class);

  /** The most hashes one request may ask for. */
  public static final int MAX_HASHES = 16;

  /** Blob bytes per response message: a quarter of the default 4 MiB frame limit. */
  static final int RESPONSE_BYTES = 1024 * 1024;

  /** What a part costs beyond its data (hash, sizes, field tags), counted against the budget. */
  private static final int PART_OVERHEAD = 64;

  private final ContentStore store;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "content-serve");
            t.setDaemon(true);
            return t;
          });

  public ContentServer(ContentStore store) {
    this.store = store;
  }

  /** Serves a request; one for more than {@link #MAX_HASHES} hashes costs the peer. */
  public void onRequest(Peer peer, ContentRequest request) {
    if (request.getHashesCount() > MAX_HASHES) {
      peer.penalise(
          Misbehaviour.MALFORMED_MESSAGE,
          "it asked for "
              + request.getHashesCount()
              + " blobs in one content request, over "
              + MAX_HASHES);
      return;
    }
    try {
      executor.execute(() -> serve(peer, request));
    } catch (RejectedExecutionException closed) {
      // The node is stopping; the asker tries another peer.
    }
  }

  private void serve(Peer peer, ContentRequest request) {
    try {
      long id = request.getRequestId();
      ContentResponse.Builder response = ContentResponse.newBuilder().setRequestId(id);
      int used = 0;
      for (ByteString raw : request.getHashesList()) {
        Optional<byte[]> blob =
            raw.size() == Hash.SIZE ? store.get(Hash.wrap(raw.toByteArray())) : Optional.empty();
        if (blob.isEmpty()) {
          response.addMissing(raw);
          continue;
        }
        byte[] bytes = blob.get();
        int offset = 0;
        do {
          if (used >= RESPONSE_BYTES) {
            peer.send(PeerMessage.newBuilder().setContentResponse(response).build());
            response = ContentResponse.newBuilder().setRequestId(id);
            used = 0;
          }
          int length = Math.min(RESPONSE_BYTES - used, bytes.length - offset);
          response.addParts(
              ContentPart.newBuilder()
                  .setHash(raw)
                  .setTotalSize(bytes.length)
                  .setOffset(offset)
                  .setData(ByteString.copyFrom(bytes, offset, length)));
          used += length + PART_OVERHEAD;
          offset += length;
        } while (offset < bytes.length);
      }
      peer.send(PeerMessage.newBuilder().setContentResponse(response).build());
    } catch (RuntimeException e) {
      LOG.warn("Serving content to {} failed: {}", peer, e.toString());
    }
  }

  /** Stops serving, and waits for a read in progress: the store closes after this. */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
