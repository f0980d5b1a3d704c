package io.ascribe.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.node.content.ContentMismatchException;
import io.ascribe.node.content.ContentStore;
import io.ascribe.node.content.ContentTooLargeException;
import io.ascribe.node.rpc.Params;
import io.ascribe.node.rpc.RpcException;
import io.ascribe.node.rpc.RpcRegistry;
import java.util.Optional;

/**
 * The content methods: {@code ascribe_putContent(bytes[, expectedHash])} stores a blob in the
 * node's {@link ContentStore} and returns its keccak256 (refusing bytes that do not hash to {@code
 * expectedHash} when one is given), and {@code ascribe_getContent(hash)} returns the bytes the node
 * holds under a hash, or the error {@link ChainApi#NOT_FOUND}. Bytes travel as {@code 0x} hex.
 */
public final class ContentApi {
  /**
   * The HTTP body the node accepts: a {@link ContentStore#MAX_BLOB_BYTES} blob as hex, and room for
   * the rest of the request.
   */
  public static final int MAX_BODY_BYTES = 2 * ContentStore.MAX_BLOB_BYTES + 1024 * 1024;

  private final ContentStore store;

  public ContentApi(ContentStore store) {
    this.store = store;
  }

  public void register(RpcRegistry registry) {
    registry.register("ascribe_putContent", this::put).register("ascribe_getContent", this::get);
  }

  private JsonNode put(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    byte[] bytes = params.hexBytes(0, "content");
    Optional<Hash> expected = params.optionalHash(1, "expectedHash");
    try {
      if (expected.isPresent()) {
        store.putVerified(expected.get(), bytes);
        return TextNode.valueOf(expected.get().toHex());
      }
      return TextNode.valueOf(store.put(bytes).toHex());
    } catch (ContentTooLargeException | ContentMismatchException e) {
      throw RpcException.invalidParams("parameter 0 (content): " + e.getMessage());
    }
  }

  private JsonNode get(JsonNode raw) {
    Params params = Params.of(raw).atMost(1);
    Hash hash = params.hash(0, "hash");
    byte[] bytes =
        store
            .get(hash)
            .orElseThrow(
                () ->
                    ObjectReplies.notFound(
                        "this node holds no content with the hash " + hash,
                        "upload it with ascribe_putContent, or ask the node that holds it"));
    return TextNode.valueOf(Hex.encode(bytes));
  }
}
