package io.ascribe.core.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JSON form of a state proof, as {@code ascribe_getProof} returns it: the proof with the height
 * and state root it was taken at. Quantities are Ethereum-style hex.
 */
public final class AccountProofJson {
  private AccountProofJson() {}

  public static ObjectNode toJson(AnchoredProof anchored) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    AccountProof proof = anchored.proof();
    ObjectNode out = f.objectNode();
    out.put("address", proof.address().toString());
    out.put("height", Quantities.toHex(anchored.height()));
    out.put("stateRoot", anchored.stateRoot().toHex());
    if (proof.account().isPresent()) {
      AccountState a = proof.account().get();
      ObjectNode account = out.putObject("account");
      account.put("balance", Quantities.toHex(a.balance()));
      account.put("nonce", Quantities.toHex(a.nonce()));
      account.put("stake", Quantities.toHex(a.stake()));
      account.put("unbonding", Quantities.toHex(a.unbonding()));
      account.put("unbondingHeight", Quantities.toHex(a.unbondingHeight()));
    } else {
      out.putNull("account");
    }
    proof.siblings().forEach(s -> out.withArray("siblings").add(s.toHex()));
    out.withArray("siblings");
    if (proof.neighbour().isPresent()) {
      ObjectNode n = out.putObject("neighbour");
      n.put("key", proof.neighbour().get().key().toHex());
      n.put("valueHash", proof.neighbour().get().valueHash().toHex());
    } else {
      out.putNull("neighbour");
    }
    return out;
  }

  /**
   * Reads the JSON form.
   *
   * @throws IllegalArgumentException naming the field that is missing or malformed
   */
  public static AnchoredProof fromJson(JsonNode json) {
    Address address = Address.fromHex(text(json, "address"));
    long height = quantity(json, "height").longValueExact();
    Hash root = Hash.fromHex(text(json, "stateRoot"));
    Optional<AccountState> account = Optional.empty();
    JsonNode a = json.path("account");
    if (a.isObject()) {
      account =
          Optional.of(
              new AccountState(
                  quantity(a, "balance"),
                  quantity(a, "nonce").longValueExact(),
                  quantity(a, "stake"),
                  quantity(a, "unbonding"),
                  quantity(a, "unbondingHeight").longValueExact()));
    }
    List<Hash> siblings = new ArrayList<>();
    for (JsonNode s : json.path("siblings")) {
      siblings.add(Hash.fromHex(s.asText()));
    }
    Optional<AccountProof.Neighbour> neighbour = Optional.empty();
    JsonNode n = json.path("neighbour");
    if (n.isObject()) {
      neighbour =
          Optional.of(
              new AccountProof.Neighbour(
                  Hash.fromHex(text(n, "key")), Hash.fromHex(text(n, "valueHash"))));
    }
    return new AnchoredProof(height, root, new AccountProof(address, account, siblings, neighbour));
  }

  private static java.math.BigInteger quantity(JsonNode node, String field) {
    String value = text(node, field);
    try {
      return Quantities.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "proof field '" + field + "' is not a hex quantity (" + e.getMessage() + "): " + value);
    }
  }

  /** A string field of a proof, or an error naming it. */
  static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("proof field '" + field + "' is missing or not a string");
    }
    return value.asText();
  }
}
