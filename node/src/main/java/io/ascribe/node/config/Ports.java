package io.ascribe.node.config;

/**
 * Port checks for settings. A class of its own so the settings records' defaults never depend on
 * the enclosing record's static initialisation (a cycle that would leave a default null).
 */
final class Ports {
  private Ports() {}

  static void require(String field, int port, boolean mayBeOff) {
    if ((port < 0 && !(mayBeOff && port == -1)) || port > 65535) {
      throw new IllegalArgumentException(
          field + " must be a port 0..65535" + (mayBeOff ? " or -1 (off)" : "") + ", got " + port);
    }
  }
}
