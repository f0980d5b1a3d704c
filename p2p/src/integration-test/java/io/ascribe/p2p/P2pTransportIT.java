package io.ascribe.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Hello;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.proto.Ping;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Real TLS 1.3 connections on loopback between transports with their own node keys. */
class P2pTransportIT {
  private static final Hash GENESIS = Keccak.hash(new byte[] {1});
  private final List<P2pTransport> started = new ArrayList<>();

  private static PrivateKey key(int n) {
    byte[] raw = new byte[32];
    raw[0] = 0x33;
    raw[31] = (byte) n;
    return PrivateKey.fromBytes(raw);
  }

  /** Records what a transport hears. */
  private static final class Recorder implements PeerListener {
    final BlockingQueue<Peer> peers = new LinkedBlockingQueue<>();
    final BlockingQueue<PeerMessage> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<Peer> gone = new LinkedBlockingQueue<>();

    @Override
    public void onPeer(Peer peer) {
      peers.add(peer);
    }

    @Override
    public void onMessage(Peer peer, PeerMessage message) {
      messages.add(message);
    }

    @Override
    public void onDisconnect(Peer peer, String reason) {
      gone.add(peer);
    }
  }

  private P2pTransport start(PrivateKey key, long chainId, PeerListener listener, int maxFrame)
      throws IOException {
    P2pTransport transport =
        new P2pTransport(
            key,
            new TransportOptions("127.0.0.1", 0, chainId, GENESIS, maxFrame),
            listener,
            Clock.systemUTC());
    transport.start();
    started.add(transport);
    return transport;
  }

  private P2pTransport start(PrivateKey key, PeerListener listener) throws IOException {
    return start(key, 7, listener, TransportOptions.DEFAULT_MAX_FRAME_BYTES);
  }

  private final Logger p2pLog = (Logger) LoggerFactory.getLogger("io.ascribe.p2p");
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeEach
  void captureLog() {
    log.start();
    p2pLog.addAppender(log);
  }

  @AfterEach
  void stop() {
    p2pLog.detachAppender(log);
    started.forEach(P2pTransport::close);
  }

  /** The lines logged about node {@code key}, each as level and message. */
  private List<String> linesAbout(PrivateKey key) {
    synchronized (log) {
      return log.list.stream()
          .filter(e -> e.getFormattedMessage().contains(key.address().toString()))
          .filter(e -> !e.getFormattedMessage().startsWith("Connected to peer"))
          .map(e -> e.getLevel() + " " + e.getFormattedMessage())
          .toList();
    }
  }

  private static byte[] helloFrame() {
    return RawTlsPeer.frame(
        PeerMessage.newBuilder()
            .setHello(
                Hello.newBuilder()
                    .setChainId(7)
                    .setGenesisHash(ByteString.copyFrom(GENESIS.toArray())))
            .build());
  }

  /** The node still takes an honest peer and answers its ping. */
  private void carriesOn(P2pTransport bob) throws Exception {
    Recorder a = new Recorder();
    P2pTransport alice = start(key(1), a);
    Peer toBob = alice.dial("127.0.0.1", bob.port(), key(2).address()).get(10, TimeUnit.SECONDS);
    toBob.send(PeerMessage.newBuilder().setPing(Ping.newBuilder().setNonce(9)).build());
    assertThat(a.messages.poll(10, TimeUnit.SECONDS).getPong().getNonce()).isEqualTo(9);
  }

  @Test
  void peersAuthenticateByNodeKeyAndExchangeMessages() throws Exception {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    P2pTransport alice = start(key(1), a);
    P2pTransport bob = start(key(2), b);

    Peer toBob = alice.dial("127.0.0.1", bob.port(), key(2).address()).get(10, TimeUnit.SECONDS);
    assertThat(toBob.nodeId()).isEqualTo(key(2).address());
    Peer fromAlice = b.peers.poll(10, TimeUnit.SECONDS);
    assertThat(fromAlice.nodeId()).isEqualTo(key(1).address());
    assertThat(fromAlice.outbound()).isFalse();

    // Pings are answered by the transport itself; the pong comes back to the node that pinged.
    fromAlice.send(PeerMessage.newBuilder().setPing(Ping.newBuilder().setNonce(5)).build());
    PeerMessage pong = b.messages.poll(10, TimeUnit.SECONDS);
    assertThat(pong.getPong().getNonce()).isEqualTo(5);
    assertThat(a.messages).isEmpty();

    toBob.send(
        PeerMessage.newBuilder()
            .setTx(io.ascribe.core.proto.SignedTx.getDefaultInstance())
            .build());
    assertThat(b.messages.poll(10, TimeUnit.SECONDS).hasTx()).isTrue();
  }

  @Test
  void dialingTheWrongKeyIsRefusedAndTheNodeCarriesOn() throws Exception {
    Recorder b = new Recorder();
    P2pTransport alice = start(key(1), new Recorder());
    P2pTransport bob = start(key(2), b);

    assertThatThrownBy(
            () -> alice.dial("127.0.0.1", bob.port(), key(3).address()).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining(
            "expected node " + key(3).address() + " but its key is " + key(2).address());

    assertThat(
            alice
                .dial("127.0.0.1", bob.port(), key(2).address())
                .get(10, TimeUnit.SECONDS)
                .nodeId())
        .isEqualTo(key(2).address());
  }

  @Test
  void aPeerOfAnotherChainIsDroppedAndCharged() throws Exception {
    P2pTransport alice = start(key(1), 7, new Recorder(), TransportOptions.DEFAULT_MAX_FRAME_BYTES);
    P2pTransport bob = start(key(2), 8, new Recorder(), TransportOptions.DEFAULT_MAX_FRAME_BYTES);
    assertThatThrownBy(
            () -> alice.dial("127.0.0.1", bob.port(), key(2).address()).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("chain 8");
    assertThat(alice.scores().isBanned(key(2).address())).isTrue();
  }

  @Test
  void garbageAndTruncatedBytesOnThePortCloseThatConnectionOnly() throws Exception {
    Recorder b = new Recorder();
    P2pTransport bob = start(key(2), b);
    for (byte[] junk :
        List.of("GET / HTTP/1.1\r\n\r\n".getBytes(), new byte[] {0x16, 0x03, 0x01, 0x00})) {
      try (Socket socket = new Socket("127.0.0.1", bob.port())) {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(junk);
        out.flush();
        socket.shutdownOutput();
        InputStream in = socket.getInputStream();
        while (in.read() >= 0) {
          // Drain until the node closes the connection.
        }
      }
    }
    P2pTransport alice = start(key(1), new Recorder());
    assertThat(
            alice
                .dial("127.0.0.1", bob.port(), key(2).address())
                .get(10, TimeUnit.SECONDS)
                .nodeId())
        .isEqualTo(key(2).address());
  }

  @Test
  void aFloodingPeerIsChargedAndDropped() throws Exception {
    Recorder b = new Recorder();
    P2pTransport bob =
        new P2pTransport(
            key(2),
            new TransportOptions("127.0.0.1", 0, 7, GENESIS, 4096, 100),
            b,
            Clock.systemUTC());
    bob.start();
    started.add(bob);
    P2pTransport alice = start(key(1), new Recorder());
    Peer toBob = alice.dial("127.0.0.1", bob.port(), key(2).address()).get(10, TimeUnit.SECONDS);
    Peer seen = b.peers.poll(10, TimeUnit.SECONDS);
    for (int i = 0; i < 500; i++) {
      toBob.send(
          PeerMessage.newBuilder()
              .setTx(io.ascribe.core.proto.SignedTx.getDefaultInstance())
              .build());
    }
    assertThat(b.gone.poll(10, TimeUnit.SECONDS)).isEqualTo(seen);
    assertThat(bob.scores().penalty(key(1).address())).isEqualTo(Misbehaviour.FLOOD.penalty());
    assertThat(b.messages.size()).isLessThanOrEqualTo(100);
  }

  @Test
  void anOversizedFrameCostsThePeerAndRepeatedOffencesBanIt() throws Exception {
    Recorder b = new Recorder();
    P2pTransport bob = start(key(2), 7, b, 1024);
    P2pTransport alice = start(key(1), new Recorder());
    PeerMessage big =
        PeerMessage.newBuilder()
            .setTx(
                io.ascribe.core.proto.SignedTx.newBuilder()
                    .setBody(com.google.protobuf.ByteString.copyFrom(new byte[4096])))
            .build();
    for (int offence = 1; offence <= 2; offence++) {
      Peer toBob = alice.dial("127.0.0.1", bob.port(), key(2).address()).get(10, TimeUnit.SECONDS);
      Peer seen = b.peers.poll(10, TimeUnit.SECONDS);
      toBob.send(big);
      assertThat(b.gone.poll(10, TimeUnit.SECONDS)).isEqualTo(seen);
      assertThat(b.messages).isEmpty();
    }
    assertThat(bob.scores().isBanned(key(1).address())).isTrue();
    assertThatThrownBy(
            () -> alice.dial("127.0.0.1", bob.port(), key(2).address()).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
  }

  @Test
  void aFrameThatIsNotProtobufInsideTheAuthenticatedChannelCostsThePeerAndRepeatsBanIt()
      throws Exception {
    Recorder b = new Recorder();
    P2pTransport bob = start(key(2), b);
    PrivateKey attacker = key(5);
    // Field 0 with wire type 7: no valid message starts like that.
    byte[] garbage = RawTlsPeer.frame(new byte[] {0x07, (byte) 0xff, (byte) 0xff, 0x01});
    int offences = 0;
    while (!bob.scores().isBanned(attacker.address())) {
      offences++;
      try (RawTlsPeer raw = new RawTlsPeer(attacker, bob.port())) {
        raw.write(helloFrame());
        assertThat(b.peers.poll(10, TimeUnit.SECONDS).nodeId()).isEqualTo(attacker.address());
        raw.write(garbage);
        assertThat(raw.awaitClosed()).isTrue();
      }
      assertThat(b.gone.poll(10, TimeUnit.SECONDS).nodeId()).isEqualTo(attacker.address());
      assertThat(b.messages).isEmpty();
      if (!bob.scores().isBanned(attacker.address())) {
        assertThat(bob.scores().penalty(attacker.address()))
            .isEqualTo(offences * Misbehaviour.MALFORMED_MESSAGE.penalty());
      }
      // One line per offence, a warning that names the peer and what it did.
      assertThat(linesAbout(attacker)).hasSize(offences);
      assertThat(linesAbout(attacker).get(offences - 1))
          .startsWith("WARN Dropped peer " + attacker.address())
          .contains("sent a malformed message")
          .contains("MALFORMED_MESSAGE");
    }
    int toBan =
        (PeerScores.BAN_THRESHOLD + Misbehaviour.MALFORMED_MESSAGE.penalty() - 1)
            / Misbehaviour.MALFORMED_MESSAGE.penalty();
    assertThat(offences).isEqualTo(toBan);
    assertThat(linesAbout(attacker).get(offences - 1)).endsWith("now banned)");

    // Banned: its next connection is turned away after the handshake, before any hello counts.
    try (RawTlsPeer raw = new RawTlsPeer(attacker, bob.port())) {
      raw.write(helloFrame());
      assertThat(raw.awaitClosed()).isTrue();
    }
    assertThat(b.peers).isEmpty();
    carriesOn(bob);
  }

  @Test
  void aFrameCutOffByACloseCostsThePeerALittleAndTheNodeCarriesOn() throws Exception {
    Recorder b = new Recorder();
    P2pTransport bob = start(key(2), b);
    PrivateKey attacker = key(6);
    try (RawTlsPeer raw = new RawTlsPeer(attacker, bob.port())) {
      raw.write(helloFrame());
      assertThat(b.peers.poll(10, TimeUnit.SECONDS).nodeId()).isEqualTo(attacker.address());
      // A frame that announces 100 bytes, of which 10 come before the connection closes.
      byte[] cut = new byte[14];
      cut[3] = 100;
      raw.write(cut);
    }
    assertThat(b.gone.poll(10, TimeUnit.SECONDS).nodeId()).isEqualTo(attacker.address());
    assertThat(bob.scores().penalty(attacker.address()))
        .isEqualTo(Misbehaviour.TRUNCATED_FRAME.penalty());
    assertThat(linesAbout(attacker))
        .singleElement()
        .asString()
        .startsWith("WARN Dropped peer " + attacker.address())
        .contains("14 bytes into a frame")
        .contains("TRUNCATED_FRAME");
    assertThat(b.messages).isEmpty();
    carriesOn(bob);
  }

  @Test
  void aPeerThatLeavesBetweenFramesIsNotCharged() throws Exception {
    Recorder b = new Recorder();
    P2pTransport bob = start(key(2), b);
    PrivateKey honest = key(7);
    try (RawTlsPeer raw = new RawTlsPeer(honest, bob.port())) {
      raw.write(helloFrame());
      assertThat(b.peers.poll(10, TimeUnit.SECONDS).nodeId()).isEqualTo(honest.address());
    }
    assertThat(b.gone.poll(10, TimeUnit.SECONDS).nodeId()).isEqualTo(honest.address());
    assertThat(bob.scores().penalty(honest.address())).isZero();
    assertThat(linesAbout(honest))
        .singleElement()
        .asString()
        .startsWith("INFO Peer " + honest.address())
        .endsWith("disconnected");
  }
}
