package io.ascribe.node.executor;

import io.ascribe.core.types.Hash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an executor gets content by hash (contributions, adapters): the node's own store first,
 * then its peers. What it returns has been checked against the hash.
 */
public interface ContentSource {

  /**
   * The bytes whose keccak256 is {@code hash}.
   *
   * @throws ContentMissingException when neither this node nor any peer has them within {@code
   *     timeout}
   */
  byte[] fetch(Hash hash, Duration timeout);

  /**
   * The bytes of each of {@code hashes}, in order; a source that can ask for several at once
   * overrides this, which fetches them one after another.
   *
   * @throws ContentMissingException for the first that neither this node nor a peer has
   */
  default List<byte[]> fetchAll(List<Hash> hashes, Duration timeout) {
    List<byte[]> all = new ArrayList<>(hashes.size());
    for (Hash hash : hashes) {
      all.add(fetch(hash, timeout));
    }
    return all;
  }

  /** Keeps {@code bytes} so this node serves them by their hash, which it returns. */
  Hash publish(byte[] bytes);

  /** No store or peer had the content asked for. */
  final class ContentMissingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ContentMissingException(String message) {
      super(message);
    }
  }
}
