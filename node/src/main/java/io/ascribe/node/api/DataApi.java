package io.ascribe.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.state.ObjectProofJson;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.ledger.ai.LedgerObject;
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
  private final Ledger ledger;
  private final ObjectReplies replies;

  public DataApi(Ledger ledger) {
    this.ledger = ledger;
    this.replies = new ObjectReplies(ledger);
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
    int page = ObjectReplies.page(params, 0);
    boolean proofs = params.optionalBool(1, "withProofs").orElse(false);
    return ObjectReplies.page(
        page,
        ledger.datanets(page * ObjectReplies.PAGE_SIZE, ObjectReplies.PAGE_SIZE),
        "datanets",
        d -> objectJson(d, proofs));
  }

  private JsonNode listContributions(JsonNode raw) {
    Params params = Params.of(raw).atMost(3);
    Hash datanet = params.hash(0, "datanetId");
    int page = ObjectReplies.page(params, 1);
    boolean proofs = params.optionalBool(2, "withProofs").orElse(false);
    if (ledger.datanet(datanet).isEmpty()) {
      throw notFound("datanet", datanet, "list them with ascribe_listDatanets");
    }
    ObjectNode out =
        ObjectReplies.page(
            page,
            ledger.contributions(datanet, page * ObjectReplies.PAGE_SIZE, ObjectReplies.PAGE_SIZE),
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
    ObjectNode out = replies.object(object, proof, DataJson::object);
    if (object instanceof Datanet datanet) {
      out.put("contributions", Quantities.toHex(ledger.contributionCount(datanet.id())));
    }
    return out;
  }

  private static RpcException notFound(String kind, Hash id, String hint) {
    return ObjectReplies.notFound("no " + kind + " has the id " + id, hint);
  }
}
