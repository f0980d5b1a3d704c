package io.ascribe.node.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * Typed, positional access to a request's {@code params} array. Each reader takes the position and
 * a name for the parameter and, when the value is missing or malformed, throws {@link
 * RpcException#invalidParams} with a message naming both and the expected form, e.g. {@code
 * parameter 0 (blockNumber) must be a hex quantity such as "0x1a": it has a leading zero, got
 * "0x01"}. Optional readers treat an absent or {@code null} value as empty.
 */
public final class Params {
  /** How errors name the value at a position: a parameter, or a field of an object parameter. */
  private interface Label {
    String of(int index, String name);
  }

  private static final Label POSITIONAL = (index, name) -> "parameter " + index + " (" + name + ")";

  private final JsonNode array;
  private final Label label;

  private Params(JsonNode array, Label label) {
    this.array = array;
    this.label = label;
  }

  /**
   * Wraps a method's params.
   *
   * @throws RpcException invalidParams when they are not an array (named params are not supported)
   */
  public static Params of(JsonNode params) {
    if (params == null || params.isMissingNode() || params.isNull()) {
      return new Params(JsonNodeFactory.instance.arrayNode(), POSITIONAL);
    }
    if (!params.isArray()) {
      throw RpcException.invalidParams("params must be an array, got " + describe(params));
    }
    return new Params(params, POSITIONAL);
  }

  /**
   * The fields of the object parameter at {@code index}, read with the same readers by their
   * position in {@code fields} and named in errors as {@code parameter 0 (filter) field status}. An
   * absent or {@code null} parameter has every field absent.
   *
   * @throws RpcException invalidParams when the parameter is not an object or has a field not in
   *     {@code fields}
   */
  public Params fields(int index, String name, String... fields) {
    ArrayNode values = JsonNodeFactory.instance.arrayNode();
    if (present(index)) {
      JsonNode object = array.get(index);
      if (!object.isObject()) {
        throw wrong(index, name, "an object", object);
      }
      List<String> known = List.of(fields);
      object
          .fieldNames()
          .forEachRemaining(
              field -> {
                if (!known.contains(field)) {
                  throw RpcException.invalidParams(
                      label.of(index, name)
                          + " has an unknown field "
                          + quote(field)
                          + ": the fields are "
                          + String.join(", ", known));
                }
              });
      // A field left out reads as null, which the optional readers take as absent.
      known.forEach(field -> values.add(object.get(field)));
    }
    Label outer = label;
    return new Params(values, (i, field) -> outer.of(index, name) + " field " + field);
  }

  public int size() {
    return array.size();
  }

  /**
   * Rejects extra parameters, which usually mean the caller meant another method or form.
   *
   * @throws RpcException invalidParams when there are more than {@code count} params
   */
  public Params atMost(int count) {
    if (array.size() > count) {
      throw RpcException.invalidParams(
          "expected at most " + count + " params, got " + array.size());
    }
    return this;
  }

  /** The raw value at a position. */
  public JsonNode raw(int index, String name) {
    return require(index, name);
  }

  public String string(int index, String name) {
    JsonNode value = require(index, name);
    if (!value.isTextual()) {
      throw wrong(index, name, "a string", value);
    }
    return value.textValue();
  }

  /** A {@link #string} that may be absent or {@code null}. */
  public Optional<String> optionalString(int index, String name) {
    return present(index) ? Optional.of(string(index, name)) : Optional.empty();
  }

  /** An {@link #optionalString} that must be one of {@code choices}. */
  public Optional<String> optionalOneOf(int index, String name, List<String> choices) {
    Optional<String> value = optionalString(index, name);
    if (value.isPresent() && !choices.contains(value.get())) {
      throw invalid(index, name, "must be one of " + String.join(", ", choices), value.get());
    }
    return value;
  }

  public boolean bool(int index, String name) {
    JsonNode value = require(index, name);
    if (!value.isBoolean()) {
      throw wrong(index, name, "true or false", value);
    }
    return value.booleanValue();
  }

  public Optional<Boolean> optionalBool(int index, String name) {
    return present(index) ? Optional.of(bool(index, name)) : Optional.empty();
  }

  /** A hex quantity that fits a {@code long}, such as a block number or a nonce. */
  public long quantity(int index, String name) {
    String text = quantityText(index, name);
    try {
      return Quantities.parseLong(text);
    } catch (IllegalArgumentException e) {
      throw malformed(index, name, "a hex quantity such as \"0x1a\"", e, text);
    }
  }

  /** A {@link #quantity} that may be absent or {@code null}. */
  public Optional<Long> optionalQuantity(int index, String name) {
    return present(index) ? Optional.of(quantity(index, name)) : Optional.empty();
  }

  /** A hex quantity of up to 256 bits, such as an amount. */
  public BigInteger bigQuantity(int index, String name) {
    String text = quantityText(index, name);
    try {
      return Quantities.parse(text);
    } catch (IllegalArgumentException e) {
      throw malformed(index, name, "a hex quantity such as \"0x1a\"", e, text);
    }
  }

  /** {@code 0x}-prefixed hex data with an even number of digits; {@code "0x"} is empty data. */
  public byte[] hexBytes(int index, String name) {
    String text = hexText(index, name, "0x-prefixed hex data such as \"0x00ff\"");
    try {
      return Hex.decode(text);
    } catch (IllegalArgumentException e) {
      throw malformed(index, name, "0x-prefixed hex data such as \"0x00ff\"", e, text);
    }
  }

  public Address address(int index, String name) {
    String text = hexText(index, name, "a 20-byte 0x-prefixed hex address");
    try {
      return Address.fromHex(text);
    } catch (IllegalArgumentException e) {
      throw malformed(index, name, "a 20-byte 0x-prefixed hex address", e, text);
    }
  }

  /** An {@link #address} that may be absent or {@code null}. */
  public Optional<Address> optionalAddress(int index, String name) {
    return present(index) ? Optional.of(address(index, name)) : Optional.empty();
  }

  public Hash hash(int index, String name) {
    String text = hexText(index, name, "a 32-byte 0x-prefixed hex hash");
    byte[] bytes;
    try {
      bytes = Hex.decode(text);
    } catch (IllegalArgumentException e) {
      throw malformed(index, name, "a 32-byte 0x-prefixed hex hash", e, text);
    }
    if (bytes.length != Hash.SIZE) {
      throw invalid(
          index,
          name,
          "must be a 32-byte 0x-prefixed hex hash: it has " + bytes.length + " bytes",
          text);
    }
    return Hash.wrap(bytes);
  }

  /** A {@link #hash} that may be absent or {@code null}. */
  public Optional<Hash> optionalHash(int index, String name) {
    return present(index) ? Optional.of(hash(index, name)) : Optional.empty();
  }

  /** {@code "latest"}, {@code "earliest"} or a block number as a hex quantity. */
  public BlockTag blockTag(int index, String name) {
    JsonNode value = require(index, name);
    String expected = "\"latest\", \"earliest\" or a hex block number such as \"0x1a\"";
    if (!value.isTextual()) {
      throw wrong(index, name, expected, value);
    }
    String text = value.textValue();
    return switch (text) {
      case "latest" -> BlockTag.LATEST;
      case "earliest" -> BlockTag.EARLIEST;
      default -> {
        try {
          yield new BlockTag.Number(Quantities.parseLong(text));
        } catch (IllegalArgumentException e) {
          throw malformed(index, name, expected, e, text);
        }
      }
    };
  }

  /** A block tag that defaults to {@code "latest"} when absent, as Ethereum methods do. */
  public BlockTag optionalBlockTag(int index, String name) {
    return present(index) ? blockTag(index, name) : BlockTag.LATEST;
  }

  private boolean present(int index) {
    return index < array.size() && !array.get(index).isNull();
  }

  private JsonNode require(int index, String name) {
    if (!present(index)) {
      throw RpcException.invalidParams(
          "missing " + label.of(index, name) + ": got " + array.size() + " params");
    }
    return array.get(index);
  }

  private String quantityText(int index, String name) {
    JsonNode value = require(index, name);
    if (!value.isTextual()) {
      throw wrong(index, name, "a hex quantity string such as \"0x1a\"", value);
    }
    return value.textValue();
  }

  private String hexText(int index, String name, String expected) {
    JsonNode value = require(index, name);
    if (!value.isTextual()) {
      throw wrong(index, name, expected, value);
    }
    String text = value.textValue();
    if (!text.startsWith("0x")) {
      throw invalid(index, name, "must be " + expected + ": it lacks the 0x prefix", text);
    }
    return text;
  }

  private RpcException wrong(int index, String name, String expected, JsonNode value) {
    return RpcException.invalidParams(
        label.of(index, name) + " must be " + expected + ", got " + describe(value));
  }

  private RpcException malformed(
      int index, String name, String expected, IllegalArgumentException why, String text) {
    return invalid(index, name, "must be " + expected + ": " + why.getMessage(), text);
  }

  private RpcException invalid(int index, String name, String problem, String text) {
    return RpcException.invalidParams(
        label.of(index, name) + " " + problem + ", got " + quote(text));
  }

  private static String describe(JsonNode value) {
    return switch (value.getNodeType()) {
      case STRING -> "the string " + quote(value.textValue());
      case NUMBER -> "the number " + value.asText();
      case BOOLEAN -> value.asText();
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String quote(String text) {
    return text.length() <= 70 ? '"' + text + '"' : '"' + text.substring(0, 67) + "...\"";
  }
}
