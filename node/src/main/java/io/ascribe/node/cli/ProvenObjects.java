package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.state.AnchoredObjectProof;
import io.ascribe.core.state.ObjectProofJson;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.ledger.ai.Capability;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.ledger.ai.JobFilter;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.Model;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.node.client.RpcClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ledger objects (datanets, contributions, models, tuning jobs, adapters, capabilities) read from a
 * node and believed only once their state proofs check out here: each proof must lead to the state
 * root in the header of the block it was taken at, the object must decode from the proven bytes,
 * sit under its own key, and be the one asked for. What is shown is the decoded object, never the
 * node's JSON fields. (A listing can still leave objects out: a proof vouches for what is there,
 * not for what is missing.)
 */
final class ProvenObjects {
  private final RpcClient client;
  private final Map<Long, Hash> stateRoots = new HashMap<>();

  ProvenObjects(RpcClient client) {
    this.client = client;
  }

  Datanet datanet(Hash id) {
    return verified(
        client.call("ascribe_getDatanet", id.toHex(), true),
        Datanet.class,
        Optional.of(Datanet.key(id)));
  }

  Contribution contribution(Hash id) {
    return verified(
        client.call("ascribe_getContribution", id.toHex(), true),
        Contribution.class,
        Optional.of(Contribution.key(id)));
  }

  Model model(Hash id) {
    return verified(
        client.call("ascribe_getModel", id.toHex(), true), Model.class, Optional.of(Model.key(id)));
  }

  TuningJob job(Hash id) {
    return verified(
        client.call("ascribe_getJob", id.toHex(), true),
        TuningJob.class,
        Optional.of(TuningJob.key(id)));
  }

  Adapter adapter(Hash id) {
    return verified(
        client.call("ascribe_getAdapter", id.toHex(), true),
        Adapter.class,
        Optional.of(Adapter.key(id)));
  }

  Capability capability(Address account) {
    return verified(
        client.call("ascribe_getCapability", account.toString(), true),
        Capability.class,
        Optional.of(Capability.key(account)));
  }

  /**
   * Every job {@code filter} (the {@code ascribe_listJobs} filter, without its page) matches, page
   * by page; each listed job must match it.
   */
  List<TuningJob> jobs(Map<String, String> filter, JobFilter matches) {
    List<TuningJob> all =
        all(
            page -> {
              Map<String, String> withPage = new HashMap<>(filter);
              withPage.put("page", page);
              return client.call("ascribe_listJobs", withPage, true);
            },
            "jobs",
            TuningJob.class);
    for (TuningJob job : all) {
      if (!matches.test(job)) {
        throw untrusted("job " + job.id() + " listed for a filter it does not match");
      }
    }
    return all;
  }

  /** Every datanet, page by page. */
  List<Datanet> datanets() {
    return all(page -> client.call("ascribe_listDatanets", page, true), "datanets", Datanet.class);
  }

  /** Every contribution of {@code datanet}, page by page. */
  List<Contribution> contributions(Hash datanet) {
    List<Contribution> all =
        all(
            page -> client.call("ascribe_listContributions", datanet.toHex(), page, true),
            "contributions",
            Contribution.class);
    for (Contribution c : all) {
      if (!c.datanet().equals(datanet)) {
        throw untrusted("contribution " + c.id() + " listed under datanet " + datanet);
      }
    }
    return all;
  }

  /** Where the proofs so far were checked: "the state root of block 7" or "... roots of blocks". */
  String checkedAt() {
    long low = stateRoots.keySet().stream().mapToLong(Long::longValue).min().orElse(-1);
    long high = stateRoots.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
    return low == high
        ? "the state root of block " + low
        : "the state roots of blocks " + low + " to " + high;
  }

  private interface PageCall {
    JsonNode call(String page);
  }

  private <T extends LedgerObject> List<T> all(PageCall call, String field, Class<T> type) {
    List<T> out = new ArrayList<>();
    String page = Quantities.toHex(0);
    while (page != null) {
      JsonNode json = call.call(page);
      for (JsonNode item : json.path(field)) {
        out.add(verified(item, type, Optional.empty()));
      }
      JsonNode next = json.path("nextPage");
      page = next.isTextual() ? next.asText() : null;
    }
    return out;
  }

  private <T extends LedgerObject> T verified(JsonNode json, Class<T> type, Optional<Hash> key) {
    String what =
        type.getSimpleName().toLowerCase(java.util.Locale.ROOT)
            + " "
            + json.path(json.has("id") ? "id" : "account").asText();
    AnchoredObjectProof anchored;
    try {
      anchored = ObjectProofJson.fromJson(json.path("proof"));
    } catch (IllegalArgumentException e) {
      throw untrusted("the node sent no readable proof of " + what + " (" + e.getMessage() + ")");
    }
    Hash root = stateRoot(anchored.height());
    if (!anchored.stateRoot().equals(root) || !anchored.proof().verify(root)) {
      throw untrusted(
          "the proof of "
              + what
              + " does NOT verify against block "
              + anchored.height()
              + "'s state root "
              + root);
    }
    LedgerObject object;
    try {
      object = LedgerObject.decode(anchored.proof().object().toByteArray());
    } catch (IllegalArgumentException e) {
      throw untrusted("the proven bytes of " + what + " are not an object: " + e.getMessage());
    }
    if (!type.isInstance(object)
        || !object.key().equals(anchored.proof().key())
        || key.filter(k -> !k.equals(object.key())).isPresent()) {
      throw untrusted("the node proved another object than " + what);
    }
    return type.cast(object);
  }

  private Hash stateRoot(long height) {
    return stateRoots.computeIfAbsent(
        height,
        h -> {
          JsonNode block = client.call("ascribe_getBlockByNumber", Quantities.toHex(h), false);
          if (block.isNull() || block.isMissingNode()) {
            throw untrusted("the node proved an object at block " + h + ", which it does not have");
          }
          return Hash.fromHex(block.path("stateRoot").asText());
        });
  }

  private static UserErrorException untrusted(String problem) {
    return new UserErrorException(problem + ": do not trust this node");
  }
}
