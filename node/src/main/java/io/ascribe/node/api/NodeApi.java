package io.ascribe.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Quantities;
import io.ascribe.node.consensus.ConsensusService;
import io.ascribe.node.rpc.Params;
import io.ascribe.node.rpc.RpcRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The node's own JSON-RPC methods, beside the chain's: where its consensus stands ({@code
 * ascribe_consensusState}) and which peers it is connected to ({@code ascribe_peers}). Operators
 * read them to see why a chain stalls (a validator stuck in a round, a peer missing); tests read
 * them to watch a network instead of guessing with timers.
 */
public final class NodeApi {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /**
   * A connected peer.
   *
   * @param nodeId the address its TLS certificate is bound to
   * @param remoteAddress the other end of the connection, {@code host:port}
   * @param outbound true when this node dialled it
   */
  public record PeerInfo(Address nodeId, String remoteAddress, boolean outbound) {}

  private final Supplier<Optional<ConsensusService.Status>> consensus;
  private final Supplier<List<PeerInfo>> peers;

  /**
   * @param consensus the validator's consensus status; always empty on a node that does not take
   *     part in consensus
   * @param peers the peers connected now
   */
  public NodeApi(
      Supplier<Optional<ConsensusService.Status>> consensus, Supplier<List<PeerInfo>> peers) {
    this.consensus = consensus;
    this.peers = peers;
  }

  public void register(RpcRegistry registry) {
    registry
        .register("ascribe_consensusState", this::consensusState)
        .register("ascribe_peers", this::peers);
  }

  /**
   * {@code {height, round, step, decided, millisAtHeight}}, or null on a node that is not a
   * validator among several (a full node, or a chain's sole validator, which decides alone).
   */
  private JsonNode consensusState(JsonNode params) {
    Params.of(params).atMost(0);
    Optional<ConsensusService.Status> status = consensus.get();
    if (status.isEmpty()) {
      return NullNode.getInstance();
    }
    ConsensusService.Status s = status.get();
    ObjectNode out = F.objectNode();
    out.put("height", Quantities.toHex(s.height()));
    out.put("round", s.round());
    out.put("step", s.step().name().toLowerCase(Locale.ROOT));
    out.put("decided", s.decided());
    out.put("millisAtHeight", s.millisAtHeight());
    return out;
  }

  private JsonNode peers(JsonNode params) {
    Params.of(params).atMost(0);
    ArrayNode out = F.arrayNode();
    for (PeerInfo peer : peers.get()) {
      out.addObject()
          .put("nodeId", peer.nodeId().toString())
          .put("remoteAddress", peer.remoteAddress())
          .put("outbound", peer.outbound());
    }
    return out;
  }
}
