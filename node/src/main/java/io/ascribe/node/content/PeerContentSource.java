package io.ascribe.node.content;

import io.ascribe.core.types.Hash;
import io.ascribe.node.executor.ContentSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The executor's {@link ContentSource} on this node: fetched through the {@link ContentFetcher}
 * (the local store, then peers, every blob checked against its hash), published into the {@link
 * ContentStore} that the node serves its peers from.
 */
public final class PeerContentSource implements ContentSource {
  private final ContentStore store;
  private final ContentFetcher fetcher;

  public PeerContentSource(ContentStore store, ContentFetcher fetcher) {
    this.store = store;
    this.fetcher = fetcher;
  }

  /**
   * Blobs asked for at once by {@link #fetchAll}: enough to hide the round trips of many small
   * contributions, few enough that no peer sees a flood from one job.
   */
  static final int IN_FLIGHT = 8;

  @Override
  public byte[] fetch(Hash hash, Duration timeout) {
    return await(fetcher.fetch(hash, timeout), hash, timeout);
  }

  @Override
  public List<byte[]> fetchAll(List<Hash> hashes, Duration timeout) {
    List<byte[]> all = new ArrayList<>(hashes.size());
    for (int from = 0; from < hashes.size(); from += IN_FLIGHT) {
      List<Hash> window = hashes.subList(from, Math.min(hashes.size(), from + IN_FLIGHT));
      List<CompletableFuture<byte[]>> asked =
          window.stream().map(h -> fetcher.fetch(h, timeout)).toList();
      for (int i = 0; i < window.size(); i++) {
        all.add(await(asked.get(i), window.get(i), timeout));
      }
    }
    return all;
  }

  private static byte[] await(CompletableFuture<byte[]> fetched, Hash hash, Duration timeout) {
    try {
      // The fetcher fails the future at the timeout itself; the margin only guards against a hang.
      return fetched.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ContentUnavailableException missing) {
        throw new ContentMissingException(missing.getMessage());
      }
      throw new IllegalStateException("fetching content " + hash + " failed", e.getCause());
    } catch (TimeoutException e) {
      throw new ContentMissingException("no peer served content " + hash + " in " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContentMissingException("interrupted while fetching content " + hash);
    }
  }

  @Override
  public Hash publish(byte[] bytes) {
    return store.put(bytes);
  }
}
