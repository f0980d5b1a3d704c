package io.ascribe.node.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ParamsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Params params(String json) throws Exception {
    return Params.of(JSON.readTree(json));
  }

  private static void assertInvalid(ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcException.INVALID_PARAMS))
        .hasMessage(message);
  }

  @Test
  void readsTypedValuesByPosition() throws Exception {
    Params p =
        params(
            "[\"0x1a\", true, \"0x00ff\", \"hello\", \"0xde0b6b3a7640000\","
                + " \"0x52908400098527886e0f7030069857d2e4169ee7\"]");
    assertThat(p.size()).isEqualTo(6);
    assertThat(p.quantity(0, "blockNumber")).isEqualTo(26);
    assertThat(p.bool(1, "fullTransactions")).isTrue();
    assertThat(p.hexBytes(2, "data")).containsExactly(0x00, 0xff);
    assertThat(p.string(3, "note")).isEqualTo("hello");
    assertThat(p.bigQuantity(4, "value")).isEqualTo(new BigInteger("1000000000000000000"));
    assertThat(p.address(5, "to"))
        .isEqualTo(Address.fromHex("0x52908400098527886e0f7030069857d2e4169ee7"));
  }

  @Test
  void missingParamsAreAnEmptyArray() {
    Params p = Params.of(MissingNode.getInstance());
    assertThat(p.size()).isZero();
    assertThat(p.optionalBool(0, "fullTransactions")).isEmpty();
    assertThat(p.optionalBlockTag(0, "block")).isEqualTo(BlockTag.LATEST);
  }

  @Test
  void optionalValuesMayBeAbsentOrNull() throws Exception {
    assertThat(params("[\"0x1\"]").optionalBool(1, "fullTransactions")).isEmpty();
    assertThat(params("[\"0x1\", null]").optionalBool(1, "fullTransactions")).isEmpty();
    assertThat(params("[\"0x1\", false]").optionalBool(1, "fullTransactions")).contains(false);
  }

  @Test
  void readsTheFieldsOfAnObjectParameterAndNamesThemInErrors() throws Exception {
    Params filter =
        params("[{\"status\": \"final\", \"page\": \"0x2\"}, true]")
            .fields(0, "filter", "submitter", "status", "page");
    assertThat(filter.optionalAddress(0, "submitter")).isEmpty();
    assertThat(filter.optionalString(1, "status")).contains("final");
    assertThat(filter.optionalQuantity(2, "page")).contains(2L);
    assertThat(params("[]").fields(0, "filter", "page").optionalQuantity(0, "page")).isEmpty();

    assertInvalid(
        () -> params("[{\"page\": 2}]").fields(0, "filter", "page").optionalQuantity(0, "page"),
        "parameter 0 (filter) field page must be a hex quantity string such as \"0x1a\","
            + " got the number 2");
    assertInvalid(
        () -> params("[{\"sender\": \"0x1\"}]").fields(0, "filter", "submitter", "page"),
        "parameter 0 (filter) has an unknown field \"sender\": the fields are submitter, page");
    assertInvalid(
        () ->
            params("[{\"status\": \"done\"}]")
                .fields(0, "filter", "status")
                .optionalOneOf(0, "status", List.of("assigned", "final")),
        "parameter 0 (filter) field status must be one of assigned, final, got \"done\"");
    assertInvalid(
        () -> params("[\"0x1\"]").fields(0, "filter", "page"),
        "parameter 0 (filter) must be an object, got the string \"0x1\"");
  }

  @Test
  void readsBlockTags() throws Exception {
    Params p = params("[\"latest\", \"earliest\", \"0x10\", \"pending\"]");
    assertThat(p.blockTag(0, "block")).isEqualTo(BlockTag.LATEST);
    assertThat(p.blockTag(1, "block")).isEqualTo(BlockTag.EARLIEST);
    assertThat(p.blockTag(2, "block")).isEqualTo(new BlockTag.Number(16));
    assertInvalid(
        () -> p.blockTag(3, "block"),
        "parameter 3 (block) must be \"latest\", \"earliest\" or a hex block number such as"
            + " \"0x1a\": it lacks the 0x prefix, got \"pending\"");
  }

  @Test
  void aNumberWhereHexIsExpectedNamesTheParameter() throws Exception {
    assertInvalid(
        () -> params("[26]").quantity(0, "blockNumber"),
        "parameter 0 (blockNumber) must be a hex quantity string such as \"0x1a\", got the"
            + " number 26");
  }

  @Test
  void leadingZerosAndMissingPrefixAreRejectedWithTheReason() throws Exception {
    assertInvalid(
        () -> params("[\"0x01\"]").quantity(0, "blockNumber"),
        "parameter 0 (blockNumber) must be a hex quantity such as \"0x1a\": it has a leading"
            + " zero, got \"0x01\"");
    assertInvalid(
        () -> params("[\"x\", \"1a\"]").quantity(1, "nonce"),
        "parameter 1 (nonce) must be a hex quantity such as \"0x1a\": it lacks the 0x prefix,"
            + " got \"1a\"");
  }

  @Test
  void badHexDataIsRejected() throws Exception {
    assertInvalid(
        () -> params("[\"00ff\"]").hexBytes(0, "data"),
        "parameter 0 (data) must be 0x-prefixed hex data such as \"0x00ff\": it lacks the 0x"
            + " prefix, got \"00ff\"");
    assertInvalid(
        () -> params("[\"0xabc\"]").hexBytes(0, "data"),
        "parameter 0 (data) must be 0x-prefixed hex data such as \"0x00ff\": hex text has an odd"
            + " number of digits: \"0xabc\", got \"0xabc\"");
    assertInvalid(
        () -> params("[\"0x00\"]").hash(0, "blockHash"),
        "parameter 0 (blockHash) must be a 32-byte 0x-prefixed hex hash: it has 1 bytes, got"
            + " \"0x00\"");
  }

  @Test
  void missingAndExtraParamsAreRejected() throws Exception {
    assertInvalid(
        () -> params("[]").string(0, "address"), "missing parameter 0 (address): got 0 params");
    assertInvalid(() -> params("[1, 2, 3]").atMost(2), "expected at most 2 params, got 3");
    assertInvalid(
        () -> params("[\"yes\"]").bool(0, "fullTransactions"),
        "parameter 0 (fullTransactions) must be true or false, got the string \"yes\"");
  }

  @Test
  void namedParamsAreNotSupported() {
    JsonNode object = JSON.createObjectNode().put("address", "0x0");
    assertInvalid(() -> Params.of(object), "params must be an array, got an object");
  }
}
