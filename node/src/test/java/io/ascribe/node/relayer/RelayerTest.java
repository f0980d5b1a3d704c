package io.ascribe.node.relayer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What the relayer says when a node it needs does not answer: which one, at which URL, and how to
 * fix it, as one message (the loop logs it once per outage and retries).
 */
class RelayerTest {
  private static final PrivateKey KEY =
      PrivateKey.fromHex("0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6");
  private static final Address DISTRIBUTOR =
      Address.fromHex("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");

  /** A loopback port nothing listens on (it was free a moment ago and is closed again). */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void anUnreachableAscribeNodeIsNamedWithTheFix() throws IOException {
    String rpc = "http://127.0.0.1:" + closedPort();
    String evm = "http://127.0.0.1:" + closedPort();
    try (Relayer relayer =
        new Relayer(new Relayer.Settings(rpc, evm, DISTRIBUTOR, KEY, Duration.ofMillis(10)))) {
      assertThatThrownBy(relayer::relayOnce)
          .isInstanceOf(Relayer.Unreachable.class)
          .hasMessageContaining("the Ascribe node at " + rpc + " does not answer")
          .hasMessageContaining("start it, or pass the URL of one that runs with --rpc");
    }
  }
}
