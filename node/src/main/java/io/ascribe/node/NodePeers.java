package io.ascribe.node;

import io.ascribe.core.proto.PeerMessage;
import io.ascribe.node.consensus.ConsensusService;
import io.ascribe.node.content.ContentFetcher;
import io.ascribe.node.content.ContentServer;
import io.ascribe.node.sync.ChainSync;
import io.ascribe.p2p.Misbehaviour;
import io.ascribe.p2p.Peer;
import io.ascribe.p2p.PeerListener;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Routes what peers send: consensus messages to the consensus engine, content requests and
 * responses to the content exchange, the rest to chain sync.
 */
final class NodePeers implements PeerListener {
  /**
   * An honest peer sends consensus messages of its announced head plus one; one more height of
   * slack keeps a message that overtakes its sender's announcement from costing it anything.
   */
  static final long MAX_HEIGHTS_PAST_ANNOUNCED = 2;

  private final ChainSync sync;
  private final Optional<ConsensusService> consensus;
  private final ContentServer contentServer;
  private final ContentFetcher contentFetcher;

  NodePeers(
      ChainSync sync,
      Optional<ConsensusService> consensus,
      ContentServer contentServer,
      ContentFetcher contentFetcher) {
    this.sync = sync;
    this.consensus = consensus;
    this.contentServer = contentServer;
    this.contentFetcher = contentFetcher;
  }

  @Override
  public void onPeer(Peer peer) {
    // Before chain sync greets the peer, so a peer that hears from this node can be asked too.
    contentFetcher.onPeer(peer);
    sync.onPeer(peer);
    consensus.ifPresent(c -> c.onPeer(peer));
  }

  @Override
  public void onMessage(Peer peer, PeerMessage message) {
    switch (message.getKindCase()) {
      case CONSENSUS_PROPOSAL -> {
        if (consensus.isPresent()
            && withinAnnounced(peer, "proposal", message.getConsensusProposal().getHeight())) {
          consensus.get().onProposal(peer, message.getConsensusProposal());
        }
      }
      case CONSENSUS_VOTE -> {
        if (consensus.isPresent()
            && withinAnnounced(peer, "vote", message.getConsensusVote().getHeight())) {
          consensus.get().onVote(peer, message.getConsensusVote());
        }
      }
      case CONTENT_REQUEST -> contentServer.onRequest(peer, message.getContentRequest());
      case CONTENT_RESPONSE -> contentFetcher.onMessage(peer, message);
      default -> sync.onMessage(peer, message);
    }
  }

  /**
   * The rule for far-future consensus messages. A peer announces its head before it sends any
   * consensus message, and an honest one only ever sends messages of the height after its head, so
   * a message more than {@link #MAX_HEIGHTS_PAST_ANNOUNCED} heights past the head its sender
   * announced is a lie: it is dropped here, on the network thread, before it costs a signature
   * check, a log write or a byte of memory, and it costs the sender {@link
   * Misbehaviour#FAR_FUTURE_MESSAGE} and its connection, so a flood of them ends in a ban. Messages
   * of heights the sender may have reached (this node may be the one behind) are let through; the
   * consensus engine drops, free and unbuffered, those that are beyond the next height.
   */
  private boolean withinAnnounced(Peer peer, String kind, long height) {
    OptionalLong announced = sync.announcedHeight(peer.nodeId());
    if (announced.isPresent() && height > announced.getAsLong() + MAX_HEIGHTS_PAST_ANNOUNCED) {
      peer.penalise(
          Misbehaviour.FAR_FUTURE_MESSAGE,
          "it sent a consensus "
              + kind
              + " for height "
              + height
              + ", past the head "
              + announced.getAsLong()
              + " it announced");
      return false;
    }
    return true;
  }

  @Override
  public void onDisconnect(Peer peer, String reason) {
    sync.onDisconnect(peer, reason);
    contentFetcher.onDisconnect(peer, reason);
  }
}
