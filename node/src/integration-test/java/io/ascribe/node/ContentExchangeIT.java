package io.ascribe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.ContentPart;
import io.ascribe.core.proto.ContentRequest;
import io.ascribe.core.proto.ContentResponse;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.content.ContentUnavailableException;
import io.ascribe.node.sync.PeerAddress;
import io.ascribe.p2p.P2pTransport;
import io.ascribe.p2p.Peer;
import io.ascribe.p2p.PeerListener;
import io.ascribe.p2p.TransportOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Content by hash between real nodes over TLS on loopback: a full node fetches blobs only a
 * validator holds (one larger than a p2p frame, so it comes in parts), refuses and charges a
 * crafted peer that answers with the wrong bytes, and fails a fetch nobody can serve at its
 * timeout, naming the hash.
 */
class ContentExchangeIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path validatorDir;
  @TempDir Path fullNodeDir;

  /** A peer on the right chain that answers every content request with bytes of its own. */
  private static final class LyingPeer implements PeerListener {
    final BlockingQueue<ContentRequest> requests = new LinkedBlockingQueue<>();
    final CountDownLatch greeted = new CountDownLatch(1);

    @Override
    public void onMessage(Peer peer, PeerMessage message) {
      if (message.hasNewHead()) {
        greeted.countDown();
      }
      if (message.hasContentRequest()) {
        ContentRequest request = message.getContentRequest();
        requests.add(request);
        byte[] forged = "not what you asked for".getBytes(StandardCharsets.UTF_8);
        ContentResponse.Builder response =
            ContentResponse.newBuilder().setRequestId(request.getRequestId());
        for (ByteString hash : request.getHashesList()) {
          response.addParts(
              ContentPart.newBuilder()
                  .setHash(hash)
                  .setTotalSize(forged.length)
                  .setOffset(0)
                  .setData(ByteString.copyFrom(forged)));
        }
        peer.send(PeerMessage.newBuilder().setContentResponse(response).build());
      }
    }
  }

  @Test
  void aFullNodeFetchesVerifiedContentFromItsPeersAndRefusesForgedBytes() throws Exception {
    Genesis genesis = DevnetGenesis.create(50);
    PrivateKey validatorKey = DevnetGenesis.devAccounts().get(0);
    PrivateKey fullNodeKey = PrivateKey.fromHex("0x" + "42".repeat(32));
    PrivateKey liarKey = PrivateKey.fromHex("0x" + "43".repeat(32));

    try (AscribeNode fullNode =
        AscribeNode.start(
            new NodeConfig(
                fullNodeDir,
                genesis,
                fullNodeKey,
                "127.0.0.1",
                0,
                -1,
                Optional.of(new NodeConfig.P2p("127.0.0.1", 0, List.of())),
                NodeConfig.Role.FULL_NODE))) {
      int fullNodePort = fullNode.p2pPort().orElseThrow();
      Hash genesisHash =
          BlockHashing.headerHash(fullNode.ledger().block(0).orElseThrow().getHeader());

      // The liar connects first, so it is the first peer the full node asks.
      LyingPeer lies = new LyingPeer();
      try (P2pTransport liar =
          new P2pTransport(
              liarKey,
              new TransportOptions(
                  "127.0.0.1",
                  0,
                  genesis.chainId(),
                  genesisHash,
                  TransportOptions.DEFAULT_MAX_FRAME_BYTES),
              lies,
              Clock.systemUTC())) {
        liar.start();
        liar.dial("127.0.0.1", fullNodePort, fullNodeKey.address()).get(30, TimeUnit.SECONDS);
        // The full node greets a peer only after the content fetcher has taken it on.
        assertThat(lies.greeted.await(30, TimeUnit.SECONDS)).isTrue();

        PeerAddress toFullNode = new PeerAddress(fullNodeKey.address(), "127.0.0.1", fullNodePort);
        try (AscribeNode validator =
                AscribeNode.start(
                    new NodeConfig(
                        validatorDir,
                        genesis,
                        validatorKey,
                        "127.0.0.1",
                        0,
                        -1,
                        Optional.of(new NodeConfig.P2p("127.0.0.1", 0, List.of(toFullNode))),
                        NodeConfig.Role.SOLE_VALIDATOR));
            HeadSubscription heads = HeadSubscription.open(fullNode.rpcUrl())) {
          byte[] record =
              "{\"text\":\"In the beginning was the Word\"}".getBytes(StandardCharsets.UTF_8);
          byte[] adapter = new byte[5 * 1024 * 1024 + 3];
          new Random(11).nextBytes(adapter);
          Hash recordHash = validator.content().put(record);
          Hash adapterHash = validator.content().put(adapter);
          assertThat(fullNode.content().has(recordHash)).isFalse();
          // Syncing a block from the validator shows the full node has it as a peer.
          heads.awaitHeight(1, WAIT);
          assertThat(fullNode.contentFetcher().peers())
              .containsExactly(liarKey.address(), validatorKey.address());

          byte[] fetched =
              fullNode.contentFetcher().fetch(recordHash, WAIT).get(60, TimeUnit.SECONDS);

          assertThat(fetched).isEqualTo(record);
          // The liar was asked first, answered with other bytes, and was charged and dropped.
          assertThat(lies.requests.poll()).isNotNull();
          assertThat(fullNode.peerScores().orElseThrow().isBanned(liarKey.address())).isTrue();
          // What was fetched and verified is kept, and served from the store from now on.
          assertThat(fullNode.content().get(recordHash))
              .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(record));

          // Larger than a p2p frame: it travels as several parts and is put back together.
          assertThat(adapter.length).isGreaterThan(TransportOptions.DEFAULT_MAX_FRAME_BYTES);
          assertThat(fullNode.contentFetcher().fetch(adapterHash, WAIT).get(60, TimeUnit.SECONDS))
              .isEqualTo(adapter);
          assertThat(fullNode.content().has(adapterHash)).isTrue();

          Hash unknown = Keccak.hash("nobody has this".getBytes(StandardCharsets.UTF_8));
          assertThatThrownBy(
                  () ->
                      fullNode
                          .contentFetcher()
                          .fetch(unknown, Duration.ofSeconds(1))
                          .get(60, TimeUnit.SECONDS))
              .isInstanceOf(ExecutionException.class)
              .cause()
              .isInstanceOf(ContentUnavailableException.class)
              .hasMessageContaining("no peer served the content " + unknown)
              .hasMessageContaining("within PT1S");

          // A job's many small contributions are asked for several at a time, and come back in
          // the order asked.
          List<byte[]> records = new java.util.ArrayList<>();
          List<Hash> hashes = new java.util.ArrayList<>();
          for (int i = 0; i < 20; i++) {
            byte[] r = ("{\"text\":\"verse " + i + "\"}").getBytes(StandardCharsets.UTF_8);
            records.add(r);
            hashes.add(validator.content().put(r));
          }
          List<byte[]> all =
              new io.ascribe.node.content.PeerContentSource(
                      fullNode.content(), fullNode.contentFetcher())
                  .fetchAll(hashes, WAIT);
          assertThat(all).hasSize(20);
          for (int i = 0; i < 20; i++) {
            assertThat(all.get(i)).as("blob %d", i).isEqualTo(records.get(i));
          }

          // Content a node holds is answered from its own store, without a round trip.
          CompletableFuture<byte[]> local = validator.contentFetcher().fetch(recordHash, WAIT);
          assertThat(local).isDone();
          assertThat(local.getNow(null)).isEqualTo(record);
        }
      }
    }
  }
}
