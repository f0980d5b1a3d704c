package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay the partition scenario relies on: bytes pass both ways untouched; a cut link ends its
 * live connections and every new one, while other links carry on; a restored link relays again.
 */
class LinkRelayIT {
  private static final LinkRelay.Link ZERO_TO_ONE = new LinkRelay.Link(0, 1);
  private static final LinkRelay.Link TWO_TO_ONE = new LinkRelay.Link(2, 1);

  private final LinkRelay relay = new LinkRelay();
  private ServerSocket echo;

  /** A loopback echo server standing in for a node's p2p port. */
  @BeforeEach
  void startEcho() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              while (true) {
                Socket socket;
                try {
                  socket = echo.accept();
                } catch (IOException closed) {
                  return;
                }
                Thread.ofVirtual().start(() -> echoAll(socket));
              }
            });
  }

  private static void echoAll(Socket socket) {
    try (socket) {
      socket.getInputStream().transferTo(socket.getOutputStream());
    } catch (IOException ended) {
      // The relay ended the connection.
    }
  }

  @AfterEach
  void stop() throws IOException {
    relay.close();
    echo.close();
  }

  private static Socket dial(int port) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Sends bytes and reads them back through the relay. */
  private static void roundTrip(Socket socket, byte[] bytes) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(bytes);
    out.flush();
    InputStream in = socket.getInputStream();
    assertThat(in.readNBytes(bytes.length)).isEqualTo(bytes);
  }

  /** True once the relay has ended this connection (reset or end of stream). */
  private static boolean ended(Socket socket) {
    try {
      return socket.getInputStream().read() < 0;
    } catch (IOException reset) {
      return true;
    }
  }

  @Test
  void relaysBytesUntouchedAndCutsAndRestoresOneLinkAlone() throws IOException {
    int zeroToOne = relay.open(ZERO_TO_ONE, echo.getLocalPort());
    int twoToOne = relay.open(TWO_TO_ONE, echo.getLocalPort());
    byte[] payload = new byte[200_000];
    new java.util.Random(1).nextBytes(payload);
    try (Socket cutOff = dial(zeroToOne);
        Socket bystander = dial(twoToOne)) {
      roundTrip(cutOff, payload);
      roundTrip(bystander, payload);

      relay.cut(List.of(ZERO_TO_ONE));
      assertThat(ended(cutOff)).isTrue();
      try (Socket refused = dial(zeroToOne)) {
        assertThat(ended(refused)).isTrue();
      }
      roundTrip(bystander, payload);

      relay.restore(List.of(ZERO_TO_ONE));
      try (Socket again = dial(zeroToOne)) {
        roundTrip(again, payload);
      }
    }
  }

  @Test
  void betweenNamesEveryLinkAcrossBothWays() {
    assertThat(LinkRelay.between(List.of(0, 1), List.of(2, 3)))
        .containsExactlyInAnyOrder(
            new LinkRelay.Link(0, 2),
            new LinkRelay.Link(2, 0),
            new LinkRelay.Link(0, 3),
            new LinkRelay.Link(3, 0),
            new LinkRelay.Link(1, 2),
            new LinkRelay.Link(2, 1),
            new LinkRelay.Link(1, 3),
            new LinkRelay.Link(3, 1));
    assertThatThrownBy(() -> relay.cut(List.of(ZERO_TO_ONE)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
