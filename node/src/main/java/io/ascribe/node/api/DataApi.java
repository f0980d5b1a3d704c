package io.ascribe.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.state.AnchoredObjectProof;
import io.ascribe.core.state.ObjectProofJson;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.Page;
import io.ascribe.node.rpc.Params;
import io.ascribe.node.rpc.RpcException;
import io.ascribe.node.rpc.RpcRegistry;
import java.util.Optional;
import java.util.function.Function;

/**
 * The data side's JSON-RPC methods: datanets, their contributions and registered models, read by id
 * or listed page by page in creation order. Each object can come with its state proof against the
 * head's state root ({@code proof}: see {@link ObjectProofJson}); with a proof, the fields shown
 * are the proven object's. An unknown id is the error {@link ChainApi#NOT_FOUND}.
 */
public final class DataApi {
  /** Objects per page of a listing. */
  public static final int PAGE_SIZE = 100;

  private final Ledger ledger;

  public DataApi(Ledger ledger) {
    this.ledger = ledger;
  }

  public void register(RpcRegistry registry) {
    registry
        .register(
            "ascribe_getDatanet",
            p -> get(p, "datanetId", ledger::datanet, "list them with ascribe_listDatanets"))
        .register("ascribe_listDatanets", this::listDatanets)
        .register(
            "ascribe_getContribution",
            p ->
                get(
                    p,
                    "contributionId",
                    ledger::contribution,
                    "list a datanet's with ascribe_listContributions"))
        .register("ascribe_listContributions", this::listContributions)
        .register(
            "ascribe_getModel",
            p -> get(p, "modelId", ledger::model, "register one with a RegisterModel transaction"));
  }

  /** An object by its id ({@code params[0]}), with its proof if {@code params[1]} is true. */
  private JsonNode get(
      JsonNode raw,
      String idName,
      Function<Hash, Optional<? extends LedgerObject>> lookup,
      String hint) {
    Params params = Params.of(raw).atMost(2);
    Hash id = params.hash(0, idName);
    boolean proof = params.optionalBool(1, "withProof").orElse(false);
    String kind = idName.substring(0, idName.length() - "Id".length());
    return objectJson(lookup.apply(id).orElseThrow(() -> notFound(kind, id, hint)), proof);
  }

  private JsonNode listDatanets(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    int page = page(params, 0);
    boolean proofs = params.optionalBool(1, "withProofs").orElse(false);
    return pageJson(
        page, ledger.datanets(page * PAGE_SIZE, PAGE_SIZE), "datanets", d -> objectJson(d, proofs));
  }

  private JsonNode listContributions(JsonNode raw) {
    Params params = Params.of(raw).atMost(3);
    Hash datanet = params.hash(0, "datanetId");
    int page = page(params, 1);
    boolean proofs = params.optionalBool(2, "withProofs").orElse(false);
    if (ledger.datanet(datanet).isEmpty()) {
      throw notFound("datanet", datanet, "list them with ascribe_listDatanets");
    }
    ObjectNode out =
        pageJson(
            page,
            ledger.contributions(datanet, page * PAGE_SIZE, PAGE_SIZE),
            "contributions",
            c -> objectJson(c, proofs));
    out.put("datanet", datanet.toHex());
    return out;
  }

  /**
   * The object's fields (a datanet's with its contribution count), or with a proof the proven
   * object's fields and the proof.
   */
  private ObjectNode objectJson(LedgerObject object, boolean proof) {
    ObjectNode out;
    if (proof) {
      // The object is in the index, so the head holds it too (or will in a moment).
      AnchoredObjectProof anchored = ledger.objectProof(object.key()).orElseThrow();
      out = DataJson.object(LedgerObject.decode(anchored.proof().object().toByteArray()));
      out.set("proof", ObjectProofJson.toJson(anchored));
    } else {
      out = DataJson.object(object);
    }
    if (object instanceof Datanet datanet) {
      out.put("contributions", Quantities.toHex(ledger.contributionCount(datanet.id())));
    }
    return out;
  }

  private static int page(Params params, int index) {
    long page = params.optionalQuantity(index, "page").orElse(0L);
    if (page > Integer.MAX_VALUE / PAGE_SIZE) {
      throw RpcException.invalidParams(
          "parameter " + index + " (page) " + page + " is beyond any listing: pages start at 0x0");
    }
    return (int) page;
  }

  /** One page of a listing: where it stands in the whole, and its objects under {@code field}. */
  private static <T> ObjectNode pageJson(
      int page, Page<T> items, String field, Function<T, ObjectNode> json) {
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

  private static RpcException notFound(String kind, Hash id, String hint) {
    return new RpcException(ChainApi.NOT_FOUND, "no " + kind + " has the id " + id + ": " + hint);
  }
}
