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
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.Model;
import io.ascribe.ledger.ai.Page;
import io.ascribe.node.rpc.Params;
import io.ascribe.node.rpc.RpcException;
import io.ascribe.node.rpc.RpcRegistry;

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
        .register("ascribe_getDatanet", this::getDatanet)
        .register("ascribe_listDatanets", this::listDatanets)
        .register("ascribe_getContribution", this::getContribution)
        .register("ascribe_listContributions", this::listContributions)
        .register("ascribe_getModel", this::getModel);
  }

  private JsonNode getDatanet(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Hash id = params.hash(0, "datanetId");
    boolean proof = params.optionalBool(1, "withProof").orElse(false);
    Datanet datanet =
        ledger
            .datanet(id)
            .orElseThrow(() -> notFound("datanet", id, "list them with ascribe_listDatanets"));
    return datanetJson(datanet, proof);
  }

  private JsonNode listDatanets(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    int page = page(params, 0);
    boolean proofs = params.optionalBool(1, "withProofs").orElse(false);
    Page<Datanet> datanets = ledger.datanets(page * PAGE_SIZE, PAGE_SIZE);
    ObjectNode out = pageJson(page, datanets.total());
    ArrayNode items = out.putArray("datanets");
    datanets.items().forEach(d -> items.add(datanetJson(d, proofs)));
    return out;
  }

  private JsonNode getContribution(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Hash id = params.hash(0, "contributionId");
    boolean proof = params.optionalBool(1, "withProof").orElse(false);
    Contribution contribution =
        ledger
            .contribution(id)
            .orElseThrow(
                () ->
                    notFound(
                        "contribution", id, "list a datanet's with ascribe_listContributions"));
    return objectJson(contribution, proof);
  }

  private JsonNode listContributions(JsonNode raw) {
    Params params = Params.of(raw).atMost(3);
    Hash datanet = params.hash(0, "datanetId");
    int page = page(params, 1);
    boolean proofs = params.optionalBool(2, "withProofs").orElse(false);
    if (ledger.datanet(datanet).isEmpty()) {
      throw notFound("datanet", datanet, "list them with ascribe_listDatanets");
    }
    Page<Contribution> contributions = ledger.contributions(datanet, page * PAGE_SIZE, PAGE_SIZE);
    ObjectNode out = pageJson(page, contributions.total());
    out.put("datanet", datanet.toHex());
    ArrayNode items = out.putArray("contributions");
    contributions.items().forEach(c -> items.add(objectJson(c, proofs)));
    return out;
  }

  private JsonNode getModel(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Hash id = params.hash(0, "modelId");
    boolean proof = params.optionalBool(1, "withProof").orElse(false);
    Model model =
        ledger
            .model(id)
            .orElseThrow(
                () -> notFound("model", id, "register one with a RegisterModel transaction"));
    return objectJson(model, proof);
  }

  private ObjectNode datanetJson(Datanet datanet, boolean proof) {
    ObjectNode out = objectJson(datanet, proof);
    out.put("contributions", Quantities.toHex(ledger.contributionCount(datanet.id())));
    return out;
  }

  /** The object's fields, or with a proof the proven object's fields and the proof. */
  private ObjectNode objectJson(LedgerObject object, boolean proof) {
    if (!proof) {
      return DataJson.object(object);
    }
    // The object is in the index, so the head holds it too (or will in a moment).
    AnchoredObjectProof anchored = ledger.objectProof(object.key()).orElseThrow();
    ObjectNode out = DataJson.object(LedgerObject.decode(anchored.proof().object().toByteArray()));
    out.set("proof", ObjectProofJson.toJson(anchored));
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

  private static ObjectNode pageJson(int page, int total) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("page", Quantities.toHex(page));
    out.put("pageSize", Quantities.toHex(PAGE_SIZE));
    out.put("total", Quantities.toHex(total));
    boolean more = (long) (page + 1) * PAGE_SIZE < total;
    out.put("nextPage", more ? Quantities.toHex(page + 1) : null);
    return out;
  }

  private static RpcException notFound(String kind, Hash id, String hint) {
    return new RpcException(ChainApi.NOT_FOUND, "no " + kind + " has the id " + id + ": " + hint);
  }
}
