package io.ascribe.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.ledger.Ledger;
import io.ascribe.node.api.ChainApi;
import io.ascribe.node.api.ChainJson;
import io.ascribe.node.mempool.Mempool;
import io.ascribe.node.mempool.MempoolLimits;
import io.ascribe.node.producer.BlockProducer;
import io.ascribe.node.rpc.JsonRpcServer;
import io.ascribe.node.rpc.MetricsServer;
import io.ascribe.node.rpc.RpcRegistry;
import io.ascribe.node.rpc.RpcServerOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: the ledger on its data directory, the mempool, the block producer on its own
 * thread, the JSON-RPC server and the metrics endpoint. {@link #close} stops them in reverse order
 * and never in the middle of a block commit.
 */
public final class AscribeNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AscribeNode.class);
  public static final String NEW_HEADS = "newHeads";

  private final NodeConfig config;
  private final Ledger ledger;
  private final Mempool mempool;
  private final JsonRpcServer rpc;
  private final Optional<MetricsServer> metricsServer;
  private final Thread producerThread;
  private final Object pacing = new Object();
  private volatile boolean running = true;

  private AscribeNode(NodeConfig config) throws IOException {
    this.config = config;
    this.ledger = Ledger.open(config.dataDir(), config.genesis());
    try {
      this.mempool =
          new Mempool(
              config.genesis().chainId(),
              config.genesis().params().minFee(),
              MempoolLimits.DEFAULT,
              Clock.systemUTC());
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      NodeMetrics metrics = new NodeMetrics(registry, ledger, mempool);
      RpcRegistry methods = new RpcRegistry();
      new ChainApi(ledger, mempool).register(methods);
      this.rpc =
          new JsonRpcServer(
              methods,
              RpcServerOptions.defaults(config.host(), config.rpcPort()).withTopics(NEW_HEADS));
      rpc.start();
      if (config.metricsPort() >= 0) {
        MetricsServer server = new MetricsServer(registry, config.host(), config.metricsPort());
        server.start();
        this.metricsServer = Optional.of(server);
      } else {
        this.metricsServer = Optional.empty();
      }
      BlockProducer producer =
          new BlockProducer(
              ledger,
              mempool,
              config.validatorKey(),
              Clock.systemUTC(),
              block -> {
                metrics.onBlock(block);
                JsonNode head =
                    ChainJson.header(block.block().block().getHeader(), block.block().hash());
                rpc.publish(NEW_HEADS, head);
              });
      this.producerThread = new Thread(() -> produceLoop(producer), "block-producer");
    } catch (IOException | RuntimeException e) {
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
    node.producerThread.start();
    return node;
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

  public Mempool mempool() {
    return mempool;
  }

  public String rpcUrl() {
    return "http://" + config.host() + ":" + rpc.port();
  }

  public String wsUrl() {
    return "ws://" + config.host() + ":" + rpc.port() + "/ws";
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
      producerThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    rpc.close();
    metricsServer.ifPresent(MetricsServer::close);
    ledger.close();
    LOG.info("Node stopped at height {}", ledger.height());
  }
}
