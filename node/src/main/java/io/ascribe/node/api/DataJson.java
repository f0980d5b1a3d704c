package io.ascribe.node.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.Model;
import java.util.Locale;

/**
 * The JSON shapes of the data side's objects in the RPC: datanets, contributions and models, with
 * ids and hashes as 0x hex and numbers as hex quantities.
 */
public final class DataJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private DataJson() {}

  /**
   * The object's fields.
   *
   * @throws IllegalArgumentException for objects of the other domains (rewards, epochs)
   */
  public static ObjectNode object(LedgerObject object) {
    return switch (object) {
      case Datanet d -> datanet(d);
      case Contribution c -> contribution(c);
      case Model m -> model(m);
      default -> throw new IllegalArgumentException("not a data object: " + object.key());
    };
  }

  public static ObjectNode datanet(Datanet d) {
    ObjectNode out = F.objectNode();
    out.put("id", d.id().toHex());
    out.put("owner", d.owner().toString());
    out.put("name", d.name());
    out.put("schema", d.rules().schemaId());
    out.put("minBond", Quantities.toHex(d.rules().minBond()));
    out.put("nearDuplicateBps", Quantities.toHex(d.rules().nearDuplicateBps()));
    out.put("createdHeight", Quantities.toHex(d.createdHeight()));
    return out;
  }

  public static ObjectNode contribution(Contribution c) {
    ObjectNode out = F.objectNode();
    out.put("id", c.id().toHex());
    out.put("datanet", c.datanet().toHex());
    out.put("contributor", c.contributor().toString());
    out.put("contentHash", c.contentHash().toHex());
    out.put("size", Quantities.toHex(c.size()));
    out.put("bond", Quantities.toHex(c.bond()));
    out.put("height", Quantities.toHex(c.height()));
    out.put("status", c.status().name().toLowerCase(Locale.ROOT));
    return out;
  }

  public static ObjectNode model(Model m) {
    ObjectNode out = F.objectNode();
    out.put("id", m.id().toHex());
    out.put("owner", m.owner().toString());
    out.put("weightsHash", m.weightsHash().toHex());
    out.put("configHash", m.configHash().toHex());
    out.put("architecture", m.architecture());
    out.put("licence", m.licence());
    out.put("height", Quantities.toHex(m.height()));
    return out;
  }
}
