package io.ascribe.node;

import io.ascribe.core.proto.PeerMessage;
import io.ascribe.node.consensus.ConsensusService;
import io.ascribe.node.content.ContentFetcher;
import io.ascribe.node.content.ContentServer;
import io.ascribe.node.sync.ChainSync;
import io.ascribe.p2p.Peer;
import io.ascribe.p2p.PeerListener;
import java.util.Optional;

/**
 * Routes what peers send: consensus messages to the consensus engine, content requests and
 * responses to the content exchange, the rest to chain sync.
 */
final class NodePeers implements PeerListener {
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
      case CONSENSUS_PROPOSAL ->
          consensus.ifPresent(c -> c.onProposal(peer, message.getConsensusProposal()));
      case CONSENSUS_VOTE -> consensus.ifPresent(c -> c.onVote(peer, message.getConsensusVote()));
      case CONTENT_REQUEST -> contentServer.onRequest(peer, message.getContentRequest());
      case CONTENT_RESPONSE -> contentFetcher.onMessage(peer, message);
      default -> sync.onMessage(peer, message);
    }
  }

  @Override
  public void onDisconnect(Peer peer, String reason) {
    sync.onDisconnect(peer, reason);
    contentFetcher.onDisconnect(peer, reason);
  }
}
