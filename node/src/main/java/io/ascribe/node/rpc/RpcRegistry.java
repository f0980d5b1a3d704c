package io.ascribe.node.rpc;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The JSON-RPC methods a server answers, by name. The node registers its methods here, before or
 * after the server starts; a name can be registered once, so two modules cannot silently replace
 * each other's method. Names starting with {@code rpc.} are reserved by the specification, and the
 * subscription methods belong to the server itself.
 */
public final class RpcRegistry {
  private final ConcurrentMap<String, RpcMethod> methods = new ConcurrentHashMap<>();

  /**
   * Adds a method.
   *
   * @throws IllegalArgumentException if the name is empty or reserved
   * @throws IllegalStateException if a method of that name is already registered
   */
  public RpcRegistry register(String name, RpcMethod method) {
    if (name.isEmpty() || name.startsWith("rpc.")) {
      throw new IllegalArgumentException("the method name '" + name + "' is reserved or empty");
    }
    if (name.equals(Subscriptions.SUBSCRIBE) || name.equals(Subscriptions.UNSUBSCRIBE)) {
      throw new IllegalArgumentException("the server provides " + name + " itself");
    }
    if (methods.putIfAbsent(name, method) != null) {
      throw new IllegalStateException("the method " + name + " is already registered");
    }
    return this;
  }

  public Optional<RpcMethod> find(String name) {
    return Optional.ofNullable(methods.get(name));
  }

  /** The registered names, sorted. */
  public Set<String> names() {
    return new TreeSet<>(methods.keySet());
  }
}
