package io.ascribe.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.state.AnchoredObjectProof;
import io.ascribe.core.state.ObjectProofJson;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.Page;
import io.ascribe.node.rpc.Params;
import io.ascribe.node.rpc.RpcException;
import java.util.function.Function;

/**
 * The shapes every method that reads ledger objects shares: an object with its state proof against
 * the head's state root (the fields shown are then the proven object's), a page of a listing, and
 * the {@link ChainApi#NOT_FOUND} error for an id nothing has.
 */
final class ObjectReplies {
  /** Objects per page of a listing. */
  static final int PAGE_SIZE = 100;

  private final Ledger ledger;

  ObjectReplies(Ledger ledger) {
    this.ledger = ledger;
  }

  /**
   * An object as the head's state proves it.
   *
   * @param object the proven object, decoded from the bytes the proof commits to
   * @param proof the proof ({@link ObjectProofJson})
   */
  record Proven<T>(T object, ObjectNode proof) {}

  /** {@code object} as the head's state holds it, with the proof. */
  <T extends LedgerObject> Proven<T> proven(T object) {
    // The object is in the index, so the head holds it too (or will in a moment).
    AnchoredObjectProof anchored = ledger.objectProof(object.key()).orElseThrow();
    @SuppressWarnings("unchecked") // the proven object sits under the same key, so it is a T
    T proven = (T) LedgerObject.decode(anchored.proof().object().toByteArray());
    return new Proven<>(proven, ObjectProofJson.toJson(anchored));
  }

  /**
   * {@code object}'s fields as {@code fields} shows them, or with {@code proof} the proven object's
   * fields and the proof.
   */
  <T extends LedgerObject> ObjectNode object(
      T object, boolean proof, Function<? super T, ObjectNode> fields) {
    if (!proof) {
      return fields.apply(object);
    }
    Proven<T> proven = proven(object);
    ObjectNode out = fields.apply(proven.object());
    out.set("proof", proven.proof());
    return out;
  }

  /** Parameter {@code index}: a page number, 0 (the first) when absent. */
  static int page(Params params, int index) {
    long page = params.optionalQuantity(index, "page").orElse(0L);
    if (page > Integer.MAX_VALUE / PAGE_SIZE) {
      throw RpcException.invalidParams(
          "parameter " + index + " (page) " + page + " is beyond any listing: pages start at 0x0");
    }
    return (int) page;
  }

  /** One page of a listing: where it stands in the whole, and its objects under {@code field}. */
  static <T> ObjectNode page(int page, Page<T> items, String field, Function<T, ObjectNode> json) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("page", Quantities.toHex(page));
    out.put("pageSize", Quantities.toHex(PAGE_SIZE));
    out.put("total", Quantities.toHex(items.total()));
    boolean more = (long) (page + 1) * PAGE_SIZE < items.total();
    out.put("nextPage", more ? Quantities.toHex(page + 1) : null);
    ArrayNode array = out.putArray(field);
    items.items().forEach(item -> array.add(json.apply(item)));
    return out;
  }

  /** Nothing is there: {@code what} names what was asked for, {@code hint} what to do. */
  static RpcException notFound(String what, String hint) {
    return new RpcException(ChainApi.NOT_FOUND, what + ": " + hint);
  }
}
