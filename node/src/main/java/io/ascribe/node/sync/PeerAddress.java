package io.ascribe.node.sync;

import io.ascribe.core.types.Address;

/**
 * Where to reach a peer and which node key it must prove: {@code NODE_ID@HOST:PORT}, the node id
 * being the address of the peer's key, as {@code ascribe init} prints it.
 */
public record PeerAddress(Address nodeId, String host, int port) {

  /**
   * Parses {@code 0xNODEID@host:port}.
   *
   * @throws IllegalArgumentException saying which part is wrong
   */
  public static PeerAddress parse(String text) {
    int at = text.indexOf('@');
    int colon = text.lastIndexOf(':');
    if (at <= 0 || colon < at + 2 || colon == text.length() - 1) {
      throw new IllegalArgumentException(
          "peer \""
              + text
              + "\" is not NODE_ID@HOST:PORT (e.g. 0x70997970C51812dc3A010C7d01b50e0d17dc79C8@127.0.0.1:26656)");
    }
    Address nodeId;
    try {
      nodeId = Address.fromHex(text.substring(0, at));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("peer \"" + text + "\": node id: " + e.getMessage());
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("peer \"" + text + "\": port must be 1..65535");
    }
    return new PeerAddress(nodeId, text.substring(at + 1, colon), port);
  }

  @Override
  public String toString() {
    return nodeId + "@" + host + ":" + port;
  }
}
