package io.ascribe.node.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ascribe.core.types.Quantities;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WebSocket subscriptions of one server: {@code ascribe_subscribe} adds one for a topic, {@code
 * ascribe_unsubscribe} removes it, and {@link #publish} pushes a payload to every subscriber of a
 * topic as an {@code ascribe_subscription} notification. A new subscription stays inactive until
 * the connection is about to send the reply carrying its id, so a client never sees a notification
 * for an id it has not been told yet.
 */
final class Subscriptions {
  static final String SUBSCRIBE = "ascribe_subscribe";
  static final String UNSUBSCRIBE = "ascribe_unsubscribe";
  static final String NOTIFICATION = "ascribe_subscription";

  private static final class Subscription {
    final String id;
    final String topic;
    final WebSocketSession session;
    volatile boolean active;

    Subscription(String id, String topic, WebSocketSession session) {
      this.id = id;
      this.topic = topic;
      this.session = session;
    }
  }

  private final ObjectMapper mapper;
  private final Set<String> topics;
  private final AtomicLong nextId = new AtomicLong(1);
  private final ConcurrentMap<String, Subscription> byId = new ConcurrentHashMap<>();

  Subscriptions(ObjectMapper mapper, Set<String> topics) {
    this.mapper = mapper;
    this.topics = topics;
  }

  JsonNode subscribe(JsonNode params, WebSocketSession session) {
    String topic = Params.of(params).atMost(1).string(0, "topic");
    if (!topics.contains(topic)) {
      throw RpcException.invalidParams(
          "unknown topic \"" + topic + "\"; the topics are " + String.join(", ", topics));
    }
    String id = Quantities.toHex(nextId.getAndIncrement());
    byId.put(id, new Subscription(id, topic, session));
    // The connection may have closed while this call waited; its cleanup may then have run
    // before the put, so undo it here rather than keep a subscription no one can reach.
    if (!session.channel().isActive()) {
      byId.remove(id);
    }
    return TextNode.valueOf(id);
  }

  JsonNode unsubscribe(JsonNode params, WebSocketSession session) {
    Params p = Params.of(params).atMost(1);
    // Parsed as a quantity so that a malformed id is reported as such, not as "not found".
    String id = Quantities.toHex(p.bigQuantity(0, "subscription"));
    Subscription subscription = byId.get(id);
    boolean mine = subscription != null && subscription.session == session;
    return BooleanNode.valueOf(mine && byId.remove(id, subscription));
  }

  /**
   * Starts delivering to the session's new subscriptions; called on the session's event loop just
   * before the reply with their ids is written.
   */
  void activate(WebSocketSession session) {
    for (Subscription s : byId.values()) {
      if (s.session == session) {
        s.active = true;
      }
    }
  }

  void drop(WebSocketSession session) {
    byId.values().removeIf(s -> s.session == session);
  }

  int count() {
    return byId.size();
  }

  void publish(String topic, JsonNode payload) {
    if (!topics.contains(topic)) {
      throw new IllegalArgumentException(
          "unknown topic \"" + topic + "\"; the topics are " + String.join(", ", topics));
    }
    String result;
    try {
      result = mapper.writeValueAsString(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the payload cannot be written as JSON", e);
    }
    for (Subscription s : byId.values()) {
      if (s.active && s.topic.equals(topic) && !s.session.push(notification(s.id, result))) {
        drop(s.session);
      }
    }
  }

  // Built as text so the payload is serialised once, not once per subscriber; the id is hex and
  // needs no escaping.
  private static String notification(String id, String result) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\""
        + NOTIFICATION
        + "\",\"params\":{\"subscription\":\""
        + id
        + "\",\"result\":"
        + result
        + "}}";
  }
}
