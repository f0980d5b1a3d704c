package io.ascribe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.node.api.ChainApi;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.client.RpcClientException;
import io.ascribe.node.content.ContentStore;
import io.ascribe.node.rpc.RpcException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** ascribe_putContent and ascribe_getContent on a devnet node over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContentRpcIT {
  private AscribeNode node;
  private RpcClient rpc;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    node =
        AscribeNode.start(
            new NodeConfig(
                dir,
                DevnetGenesis.create(50),
                DevnetGenesis.devAccounts().get(0),
                "127.0.0.1",
                0,
                -1));
    rpc = new RpcClient(node.rpcUrl());
  }

  @AfterAll
  void stop() {
    node.close();
  }

  private void assertRpcError(int code, String messagePart, String method, Object... params) {
    assertThatThrownBy(() -> rpc.call(method, params))
        .isInstanceOfSatisfying(RpcClientException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(messagePart);
  }

  @Test
  void contentPutIsStoredUnderItsKeccakAndComesBack() {
    byte[] bytes = "{\"text\":\"Call me Ishmael.\"}".getBytes(StandardCharsets.UTF_8);
    Hash hash = Keccak.hash(bytes);

    assertThat(rpc.call("ascribe_putContent", Hex.encode(bytes)).asText()).isEqualTo(hash.toHex());
    assertThat(rpc.call("ascribe_getContent", hash.toHex()).asText()).isEqualTo(Hex.encode(bytes));
    assertThat(node.content().get(hash)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
    // Again, and with the hash it must have: the same answer, nothing changes.
    assertThat(rpc.call("ascribe_putContent", Hex.encode(bytes), hash.toHex()).asText())
        .isEqualTo(hash.toHex());
    assertThat(rpc.call("ascribe_putContent", Hex.encode(bytes), null).asText())
        .isEqualTo(hash.toHex());
  }

  @Test
  void aBlobAtTheSizeLimitTravelsWholeAndOneOverIsRefused() {
    byte[] atLimit = new byte[ContentStore.MAX_BLOB_BYTES];
    new Random(3).nextBytes(atLimit);
    Hash hash = Keccak.hash(atLimit);
    assertThat(rpc.call("ascribe_putContent", Hex.encode(atLimit)).asText())
        .isEqualTo(hash.toHex());
    assertThat(rpc.call("ascribe_getContent", hash.toHex()).asText())
        .isEqualTo(Hex.encode(atLimit));

    byte[] over = new byte[ContentStore.MAX_BLOB_BYTES + 1];
    assertRpcError(
        RpcException.INVALID_PARAMS,
        "over the limit of " + ContentStore.MAX_BLOB_BYTES + " bytes",
        "ascribe_putContent",
        Hex.encode(over));
    assertThat(node.content().has(Keccak.hash(over))).isFalse();
  }

  @Test
  void badContentIsRefusedWithTheFixNamedAndNothingIsStored() {
    byte[] bytes = "the bytes sent".getBytes(StandardCharsets.UTF_8);
    Hash claimed = Keccak.hash("the bytes recorded".getBytes(StandardCharsets.UTF_8));
    assertRpcError(
        RpcException.INVALID_PARAMS,
        "is " + Keccak.hash(bytes) + ", not the expected " + claimed,
        "ascribe_putContent",
        Hex.encode(bytes),
        claimed.toHex());
    assertThat(node.content().has(claimed)).isFalse();
    assertThat(node.content().has(Keccak.hash(bytes))).isFalse();

    assertRpcError(
        RpcException.INVALID_PARAMS,
        "parameter 0 (content) must be 0x-prefixed hex data",
        "ascribe_putContent",
        "0xzz");
    assertRpcError(
        RpcException.INVALID_PARAMS, "it lacks the 0x prefix", "ascribe_putContent", "00ff");
    assertRpcError(
        RpcException.INVALID_PARAMS,
        "parameter 0 (content) must be 0x-prefixed hex data such as \"0x00ff\", got the number 5",
        "ascribe_putContent",
        5);
    assertRpcError(
        RpcException.INVALID_PARAMS, "missing parameter 0 (content)", "ascribe_putContent");
    assertRpcError(
        RpcException.INVALID_PARAMS,
        "parameter 1 (expectedHash) must be a 32-byte 0x-prefixed hex hash",
        "ascribe_putContent",
        "0x00",
        "0x1234");
    assertRpcError(
        RpcException.INVALID_PARAMS,
        "expected at most 2 params",
        "ascribe_putContent",
        "0x00",
        claimed.toHex(),
        true);
  }

  @Test
  void contentTheNodeLacksIsNotFoundAndABadHashIsRefused() {
    Hash unknown = Keccak.hash("never uploaded".getBytes(StandardCharsets.UTF_8));
    assertRpcError(
        ChainApi.NOT_FOUND,
        "this node holds no content with the hash "
            + unknown
            + ": upload it with ascribe_putContent",
        "ascribe_getContent",
        unknown.toHex());
    assertRpcError(
        RpcException.INVALID_PARAMS,
        "parameter 0 (hash) must be a 32-byte 0x-prefixed hex hash",
        "ascribe_getContent",
        "0xabc");
    assertRpcError(RpcException.INVALID_PARAMS, "missing parameter 0 (hash)", "ascribe_getContent");
  }
}
