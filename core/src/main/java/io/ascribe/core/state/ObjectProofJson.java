package io.ascribe.core.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of an object proof, as the {@code ascribe_get*} object methods return it under
 * {@code proof}: height and state root (hex quantities and hashes), the state-tree key, the
 * object's encoded bytes as hex, and the siblings.
 */
public final class ObjectProofJson {
  private ObjectProofJson() {}

  public static ObjectNode toJson(AnchoredObjectProof anchored) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("height", Quantities.toHex(anchored.height()));
    out.put("stateRoot", anchored.stateRoot().toHex());
    out.put("key", anchored.proof().key().toHex());
    out.put("object", Hex.encode(anchored.proof().object().toByteArray()));
    var siblings = out.putArray("siblings");
    anchored.proof().siblings().forEach(s -> siblings.add(s.toHex()));
    return out;
  }

  /**
   * Reads the JSON form.
   *
   * @throws IllegalArgumentException naming the field that is missing or malformed
   */
  public static AnchoredObjectProof fromJson(JsonNode json) {
    long height;
    try {
      height = Quantities.parseLong(AccountProofJson.text(json, "height"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("proof field 'height' is not a hex quantity", e);
    }
    Hash root = hash(json, "stateRoot");
    Hash key = hash(json, "key");
    ByteString object;
    try {
      object = ByteString.copyFrom(Hex.decode(AccountProofJson.text(json, "object")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("proof field 'object' is not hex: " + e.getMessage(), e);
    }
    JsonNode list = json.path("siblings");
    if (!list.isArray()) {
      throw new IllegalArgumentException("proof field 'siblings' is missing or not a list");
    }
    List<Hash> siblings = new ArrayList<>();
    for (JsonNode sibling : list) {
      siblings.add(Hash.fromHex(sibling.asText()));
    }
    return new AnchoredObjectProof(height, root, new ObjectProof(key, object, siblings));
  }

  private static Hash hash(JsonNode json, String field) {
    try {
      return Hash.fromHex(AccountProofJson.text(json, field));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "proof field '" + field + "' is not a 32-byte hash: " + e.getMessage(), e);
    }
  }
}
