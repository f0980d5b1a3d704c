package io.ascribe.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.consensus.Step;
import io.ascribe.core.types.Address;
import io.ascribe.node.consensus.ConsensusService;
import io.ascribe.node.rpc.RpcException;
import io.ascribe.node.rpc.RpcRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Address PEER = Address.fromHex("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

  private static JsonNode call(NodeApi api, String method, String params) throws Exception {
    RpcRegistry registry = new RpcRegistry();
    api.register(registry);
    return registry.find(method).orElseThrow().call(JSON.readTree(params));
  }

  @Test
  void consensusStateSaysHeightRoundStepAndTimeAtTheHeight() throws Exception {
    long startedTwoSecondsAgo = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);
    NodeApi api =
        new NodeApi(
            () ->
                Optional.of(
                    new ConsensusService.Status(26, 3, Step.PREVOTE, false, startedTwoSecondsAgo)),
            List::of);
    JsonNode state = call(api, "ascribe_consensusState", "[]");
    assertThat(state.path("height").asText()).isEqualTo("0x1a");
    assertThat(state.path("round").asInt()).isEqualTo(3);
    assertThat(state.path("step").asText()).isEqualTo("prevote");
    assertThat(state.path("decided").asBoolean()).isFalse();
    assertThat(state.path("millisAtHeight").asLong()).isGreaterThanOrEqualTo(2000);
  }

  @Test
  void aNodeOutsideConsensusHasNoConsensusState() throws Exception {
    NodeApi api = new NodeApi(Optional::empty, List::of);
    assertThat(call(api, "ascribe_consensusState", "[]").isNull()).isTrue();
    assertThat(call(api, "ascribe_peers", "[]")).isEmpty();
  }

  @Test
  void peersListsEachConnectedNodeAndWhoDialled() throws Exception {
    NodeApi api =
        new NodeApi(
            Optional::empty, () -> List.of(new NodeApi.PeerInfo(PEER, "127.0.0.1:40001", true)));
    JsonNode peers = call(api, "ascribe_peers", "[]");
    assertThat(peers).hasSize(1);
    assertThat(peers.get(0).path("nodeId").asText()).isEqualTo(PEER.toString());
    assertThat(peers.get(0).path("remoteAddress").asText()).isEqualTo("127.0.0.1:40001");
    assertThat(peers.get(0).path("outbound").asBoolean()).isTrue();
  }

  @Test
  void theyTakeNoParams() {
    NodeApi api = new NodeApi(Optional::empty, List::of);
    assertThatThrownBy(() -> call(api, "ascribe_peers", "[1]")).isInstanceOf(RpcException.class);
    assertThatThrownBy(() -> call(api, "ascribe_consensusState", "[\"latest\"]"))
        .isInstanceOf(RpcException.class);
  }
}
