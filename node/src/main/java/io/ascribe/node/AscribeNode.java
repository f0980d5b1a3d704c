package io.ascribe.node;

import io.ascribe.core.block.BlockHashing;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.node.api.ChainApi;
import io.ascribe.node.api.ChainJson;
import io.ascribe.node.api.ContentApi;
import io.ascribe.node.api.DataApi;
import io.ascribe.node.api.InferenceApi;
import io.ascribe.node.api.JobApi;
import io.ascribe.node.api.NodeApi;
import io.ascribe.node.api.RewardsApi;
import io.ascribe.node.api.WorkApi;
import io.ascribe.node.bridge.BridgeService;
import io.ascribe.node.consensus.ConsensusService;
import io.ascribe.node.consensus.EvidenceReporter;
import io.ascribe.node.content.ContentFetcher;
import io.ascribe.node.content.ContentServer;
import io.ascribe.node.content.ContentStore;
import io.ascribe.node.content.PeerContentSource;
import io.ascribe.node.executor.AiWorkService;
import io.ascribe.node.executor.ContentSource;
import io.ascribe.node.executor.ExecutorSettings;
import io.ascribe.node.mempool.Mempool;
import io.ascribe.node.mempool.MempoolLimits;
import io.ascribe.node.producer.BlockProducer;
import io.ascribe.node.rpc.JsonRpcServer;
import io.ascribe.node.rpc.MetricsServer;
import io.ascribe.node.rpc.RpcException;
import io.ascribe.node.rpc.RpcRegistry;
import io.ascribe.node.rpc.RpcServerOptions;
import io.ascribe.node.serving.InferenceService;
import io.ascribe.node.sync.ChainSync;
import io.ascribe.node.sync.PersistentPeers;
import io.ascribe.p2p.P2pTransport;
import io.ascribe.p2p.PeerScores;
import io.ascribe.p2p.TransportOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: the ledger on its data directory, the content store beside it ({@code
 * DATA/content}), the mempool, the block producer on its own thread, the JSON-RPC server and the
 * metrics endpoint. {@link #close} stops them in reverse order and never in the middle of a block
 * commit.
 */
public final class AscribeNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AscribeNode.class);
  public static final String NEW_HEADS = "newHeads";

  private final NodeConfig config;
  private final Ledger ledger;
  private final ContentStore content;
  private final ContentFetcher contentFetcher;
  private final ContentServer contentServer;
  private final Mempool mempool;
  private final JsonRpcServer rpc;
  private final Optional<MetricsServer> metricsServer;
  private final Optional<Thread> producerThread;
  private final Optional<ChainSync> sync;
  private final Optional<ConsensusService> consensus;
  private final Optional<P2pTransport> transport;
  private final Optional<PersistentPeers> persistentPeers;
  private final Optional<BridgeService> bridge;
  private volatile Optional<AiWorkService> aiWork = Optional.empty();
  private final Object pacing = new Object();
  private volatile boolean running = true;

  private AscribeNode(NodeConfig config) throws IOException {
    this.config = config;
    this.ledger = Ledger.open(config.dataDir(), config.genesis());
    try {
      this.content = ContentStore.open(config.dataDir().resolve("content"));
    } catch (RuntimeException e) {
      ledger.close();
      throw e;
    }
    this.contentFetcher = new ContentFetcher(content);
    this.contentServer = new ContentServer(content);
    try {
      this.mempool =
          new Mempool(
              config.genesis().chainId(),
              config.genesis().params().minFee(),
              MempoolLimits.DEFAULT,
              Clock.systemUTC());
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      NodeMetrics metrics = new NodeMetrics(registry, ledger, mempool);
      this.consensus =
          config.role() == NodeConfig.Role.VALIDATOR
              ? Optional.of(
                  new ConsensusService(
                      ledger,
                      mempool,
                      config.nodeKey(),
                      config.dataDir().resolve("consensus"),
                      config.timeouts(),
                      Clock.systemUTC(),
                      this::broadcastToPeers,
                      block -> onCommitted(metrics, block, 0, 0),
                      new EvidenceReporter(ledger, mempool, config.nodeKey(), this::gossip)))
              : Optional.empty();
      Optional<ChainSync.Importer> importer =
          switch (config.role()) {
            case SOLE_VALIDATOR -> Optional.empty();
            case VALIDATOR ->
                Optional.of(
                    new ChainSync.Importer(
                        consensus.orElseThrow().executor(), consensus.orElseThrow()::afterImport));
            case FULL_NODE -> Optional.of(ChainSync.Importer.ownThread());
          };
      this.sync =
          config
              .p2p()
              .map(
                  p ->
                      new ChainSync(
                          ledger, mempool, importer, block -> onCommitted(metrics, block, 0, 0)));
      RpcRegistry methods = new RpcRegistry();
      new ChainApi(ledger, mempool, tx -> sync.ifPresent(s -> s.gossip(tx))).register(methods);
      new RewardsApi(ledger).register(methods);
      new DataApi(ledger).register(methods);
      new ContentApi(content).register(methods);
      new JobApi(ledger).register(methods);
      new InferenceApi(ledger).register(methods);
      new WorkApi(job -> aiWork.flatMap(w -> w.work(job))).register(methods);
      methods
          .register("ascribe_infer", p -> serving("ascribe_infer").infer(p))
          .register("ascribe_inferenceQuote", p -> serving("ascribe_inferenceQuote").quote(p));
      new NodeApi(
              () -> consensus.flatMap(ConsensusService::status),
              () -> sync.map(AscribeNode::peerInfos).orElse(List.of()))
          .register(methods);
      this.rpc =
          new JsonRpcServer(
              methods,
              RpcServerOptions.defaults(config.host(), config.rpcPort())
                  .withTopics(NEW_HEADS)
                  // ascribe_putContent carries a whole blob as hex.
                  .withMaxBodyBytes(ContentApi.MAX_BODY_BYTES));
      rpc.start();
      if (config.metricsPort() >= 0) {
        MetricsServer server = new MetricsServer(registry, config.host(), config.metricsPort());
        server.start();
        this.metricsServer = Optional.of(server);
      } else {
        this.metricsServer = Optional.empty();
      }
      if (config.p2p().isPresent()) {
        NodeConfig.P2p p2p = config.p2p().get();
        Hash genesisHash = BlockHashing.headerHash(ledger.block(0).orElseThrow().getHeader());
        P2pTransport started =
            new P2pTransport(
                config.nodeKey(),
                new TransportOptions(
                    p2p.host(),
                    p2p.port(),
                    config.genesis().chainId(),
                    genesisHash,
                    TransportOptions.DEFAULT_MAX_FRAME_BYTES),
                new NodePeers(sync.orElseThrow(), consensus, contentServer, contentFetcher),
                Clock.systemUTC());
        started.start();
        this.transport = Optional.of(started);
        PersistentPeers peers =
            new PersistentPeers(started, sync.orElseThrow(), p2p.persistentPeers());
        peers.start();
        this.persistentPeers = Optional.of(peers);
      } else {
        this.transport = Optional.empty();
        this.persistentPeers = Optional.empty();
      }
      if (consensus.isPresent()) {
        consensus.get().start();
      }
      if (config.role() == NodeConfig.Role.SOLE_VALIDATOR) {
        BlockProducer producer =
            new BlockProducer(
                ledger,
                mempool,
                config.nodeKey(),
                Clock.systemUTC(),
                block ->
                    onCommitted(metrics, block.block(), block.executeNanos(), block.commitNanos()));
        this.producerThread =
            Optional.of(new Thread(() -> produceLoop(producer), "block-producer"));
      } else {
        this.producerThread = Optional.empty();
      }
      // Last, so that nothing after it can fail and leave its thread reading a closed ledger.
      this.bridge =
          config
              .bridge()
              .map(
                  watch ->
                      BridgeService.start(
                          ledger,
                          mempool,
                          config.nodeKey(),
                          tx -> sync.ifPresent(s -> s.gossip(tx)),
                          watch,
                          config.dataDir().resolve("bridge")));
    } catch (IOException | RuntimeException e) {
      contentServer.close();
      contentFetcher.close();
      content.close();
      ledger.close();
      throw e;
    }
  }

  /**
   * Opens the chain and starts serving and producing blocks.
   *
   * @throws IOException when a port cannot be bound
   */
  public static AscribeNode start(NodeConfig config) throws IOException {
    AscribeNode node = new AscribeNode(config);
    node.producerThread.ifPresent(Thread::start);
    return node;
  }

  private static List<NodeApi.PeerInfo> peerInfos(ChainSync sync) {
    return sync.peers().stream()
        .map(
            p ->
                new NodeApi.PeerInfo(
                    p.nodeId(),
                    p.remoteAddress().getHostString() + ":" + p.remoteAddress().getPort(),
                    p.outbound()))
        .toList();
  }

  private void broadcastToPeers(io.ascribe.core.proto.PeerMessage message) {
    sync.ifPresent(s -> s.broadcast(message));
  }

  private void gossip(SignedTransaction tx) {
    sync.ifPresent(s -> s.gossip(tx));
  }

  /** Everything that follows a committed block, produced here or imported from a peer. */
  private void onCommitted(
      NodeMetrics metrics, ExecutedBlock block, long executeNanos, long commitNanos) {
    metrics.onBlock(block, executeNanos, commitNanos);
    rpc.publish(NEW_HEADS, ChainJson.header(block.block().getHeader(), block.hash()));
    sync.ifPresent(s -> s.announce(block));
    aiWork.ifPresent(w -> w.onCommitted(block));
  }

  /**
   * Starts running the AI work this node is assigned (the executor and verifier), beside the chain.
   *
   * @throws IllegalStateException when the settings' device cannot run here
   */
  public synchronized AiWorkService startAiWork(ExecutorSettings settings) {
    if (aiWork.isPresent()) {
      throw new IllegalStateException("the node already runs its AI work");
    }
    AiWorkService started =
        AiWorkService.start(
            ledger, mempool, config.nodeKey(), this::gossip, contentSource(), settings);
    aiWork = Optional.of(started);
    return started;
  }

  /** The service running this node's AI work, once started. */
  public Optional<AiWorkService> aiWork() {
    return aiWork;
  }

  private InferenceService serving(String method) {
    return aiWork
        .map(AiWorkService::serving)
        .orElseThrow(
            () ->
                new RpcException(
                    RpcException.METHOD_NOT_FOUND,
                    method
                        + ": this node serves no inference; ask an executor (a node run with"
                        + " ascribe run --executor)",
                    null));
  }

  private ContentSource contentSource() {
    return new PeerContentSource(content, contentFetcher);
  }

  private void produceLoop(BlockProducer producer) {
    long blockTimeNanos = config.genesis().params().blockTimeMs() * 1_000_000L;
    long next = System.nanoTime();
    while (running) {
      try {
        producer.produce();
      } catch (RuntimeException e) {
        LOG.error("Block production failed; the node stops producing", e);
        running = false;
        return;
      }
      next += blockTimeNanos;
      synchronized (pacing) {
        long wait;
        while (running && (wait = next - System.nanoTime()) > 0) {
          try {
            pacing.wait(wait / 1_000_000, (int) (wait % 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
      // After a slow block, start the next at once rather than trying to catch up a backlog.
      next = Math.max(next, System.nanoTime() - blockTimeNanos);
    }
  }

  public Ledger ledger() {
    return ledger;
  }

  /** The node's blobs by hash: contribution records and other content. */
  public ContentStore content() {
    return content;
  }

  /** Fetches content by hash from this node's store or its peers. */
  public ContentFetcher contentFetcher() {
    return contentFetcher;
  }

  /** Chain sync, when the node has a p2p endpoint: what each peer announced. */
  Optional<ChainSync> chainSync() {
    return sync;
  }

  /** Where this validator's consensus stands; empty for a node that runs none. */
  Optional<ConsensusService.Status> consensusStatus() {
    return consensus.flatMap(ConsensusService::status);
  }

  /** The p2p transport's peer scores, when the node has a p2p endpoint. */
  Optional<PeerScores> peerScores() {
    return transport.map(P2pTransport::scores);
  }

  public Mempool mempool() {
    return mempool;
  }

  public String rpcUrl() {
    return "http://" + config.host() + ":" + rpc.port();
  }

  public String wsUrl() {
    return "ws://" + config.host() + ":" + rpc.port() + "/ws";
  }

  /** The p2p port, when the node has a p2p endpoint. */
  public Optional<Integer> p2pPort() {
    return transport.map(P2pTransport::port);
  }

  public Optional<String> metricsUrl() {
    return metricsServer.map(m -> "http://" + config.host() + ":" + m.port() + "/metrics");
  }

  @Override
  public void close() {
    running = false;
    synchronized (pacing) {
      pacing.notifyAll();
    }
    try {
      if (producerThread.isPresent()) {
        producerThread.get().join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    aiWork.ifPresent(AiWorkService::close);
    bridge.ifPresent(BridgeService::close);
    persistentPeers.ifPresent(PersistentPeers::close);
    transport.ifPresent(P2pTransport::close);
    contentFetcher.close();
    contentServer.close();
    sync.ifPresent(ChainSync::close);
    consensus.ifPresent(ConsensusService::close);
    rpc.close();
    metricsServer.ifPresent(MetricsServer::close);
    content.close();
    ledger.close();
    LOG.info("Node stopped at height {}", ledger.height());
  }
}
