package io.ascribe.node;

import io.ascribe.core.proto.PeerMessage;
import io.ascribe.node.consensus.ConsensusService;
import io.ascribe.node.sync.ChainSync;
import io.ascribe.p2p.Peer;
import io.ascribe.p2p.PeerListener;
import java.util.Optional;

/** Routes what peers send: consensus messages to the consensus engine, the rest to chain sync. */
final class NodePeers implements PeerListener {
  private final ChainSync sync;
  private final Optional<ConsensusService> consensus;

  NodePeers(ChainSync sync, Optional<ConsensusService> consensus) {
    this.sync = sync;
    this.consensus = consensus;
  }

  @Override
  public void onPeer(Peer peer) {
    sync.onPeer(peer);
    consensus.ifPresent(c -> c.onPeer(peer));
  }

  @Override
  public void onMessage(Peer peer, PeerMessage message) {
    switch (message.getKindCase()) {
      case CONSENSUS_PROPOSAL ->
          consensus.ifPresent(c -> c.onProposal(peer, message.getConsensusProposal()));
      case CONSENSUS_VOTE -> consensus.ifPresent(c -> c.onVote(peer, message.getConsensusVote()));
      default -> sync.onMessage(peer, message);
    }
  }

  @Override
  public void onDisconnect(Peer peer, String reason) {
    sync.onDisconnect(peer, reason);
  }
}
