package io.ascribe.node.content;

import io.ascribe.core.types.Hash;
import io.ascribe.node.executor.ContentSource;
import java.time.Duration;
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

  @Override
  public byte[] fetch(Hash hash, Duration timeout) {
    try {
      // The fetcher fails the future at the timeout itself; the margin only guards against a hang.
      return fetcher.fetch(hash, timeout).get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
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
