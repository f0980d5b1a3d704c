package io.ascribe.node;

import com.google.protobuf.ByteString;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.BlockRequest;
import io.ascribe.core.proto.BlockResponse;
import io.ascribe.core.proto.NewHead;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.Genesis;
import io.ascribe.p2p.P2pTransport;
import io.ascribe.p2p.Peer;
import io.ascribe.p2p.PeerListener;
import io.ascribe.p2p.TransportOptions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A peer of a node under test that speaks the real protocol with a real node key over the real
 * transport, and sends whatever the test makes it send: the attacker of the bad-input ITs, or an
 * honest block server. It answers block requests through {@link #serve} when one is set, and
 * otherwise queues them for the test.
 */
final class TestPeer implements PeerListener, AutoCloseable {
  private final PrivateKey key;
  private final P2pTransport transport;
  final BlockingQueue<BlockRequest> requests = new LinkedBlockingQueue<>();
  final BlockingQueue<String> disconnects = new LinkedBlockingQueue<>();
  private volatile Function<BlockRequest, BlockResponse> server;

  TestPeer(PrivateKey key, Genesis genesis, Hash genesisHash) throws IOException {
    this.key = key;
    this.transport =
        new P2pTransport(
            key,
            new TransportOptions(
                "127.0.0.1",
                0,
                genesis.chainId(),
                genesisHash,
                TransportOptions.DEFAULT_MAX_FRAME_BYTES),
            this,
            Clock.systemUTC());
    transport.start();
  }

  Address address() {
    return key.address();
  }

  PrivateKey key() {
    return key;
  }

  /** Answers every block request from now on with what {@code server} makes of it. */
  TestPeer serve(Function<BlockRequest, BlockResponse> server) {
    this.server = server;
    return this;
  }

  /** Dials the node and returns the connection once both sides said hello. */
  Peer connect(AscribeNode node, Address nodeId) throws Exception {
    return transport
        .dial("127.0.0.1", node.p2pPort().orElseThrow(), nodeId)
        .get(30, TimeUnit.SECONDS);
  }

  /** Waits until the node drops a connection of this peer; false past {@code wait}. */
  boolean awaitDropped(Duration wait) throws InterruptedException {
    return disconnects.poll(wait.toMillis(), TimeUnit.MILLISECONDS) != null;
  }

  static PeerMessage newHead(long height, Hash hash) {
    return PeerMessage.newBuilder()
        .setNewHead(
            NewHead.newBuilder().setHeight(height).setHash(ByteString.copyFrom(hash.toArray())))
        .build();
  }

  @Override
  public void onMessage(Peer peer, PeerMessage message) {
    if (message.hasBlockRequest()) {
      Function<BlockRequest, BlockResponse> s = server;
      if (s == null) {
        requests.add(message.getBlockRequest());
      } else {
        peer.send(
            PeerMessage.newBuilder().setBlockResponse(s.apply(message.getBlockRequest())).build());
      }
    }
  }

  @Override
  public void onDisconnect(Peer peer, String reason) {
    disconnects.add(reason);
  }

  @Override
  public void close() {
    transport.close();
  }
}
