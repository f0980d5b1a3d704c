package io.ascribe.node.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Signs transfers from many accounts and sends them to a node, as fast as it takes them (a burst:
 * the chain's capacity) or at a set rate (open-loop: finality at that load), then measures how fast
 * they are committed and how long each waited. A burst's latencies are mostly time queued behind
 * the transfers sent before it; only a paced run measures finality. Senders are derived from a seed
 * and funded by one funder key first; all transactions are signed before the clock starts, so the
 * figure is the node's, not the signer's.
 */
public final class LoadGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How to load the node.
   *
   * @param rpcUrls the nodes' JSON-RPC URLs: the transfers are spread over them, each sender always
   *     through the same one (so its nonces arrive in order); the first also funds the senders and
   *     its WebSocket (at /ws on the same port) announces the heads
   * @param funder a funded key that pays the senders
   * @param senders how many accounts send
   * @param transactions how many transfers in all
   * @param batchSize transactions per JSON-RPC batch request
   * @param connections concurrent HTTP senders
   * @param seed derives the sender keys and recipients
   * @param ratePerSecond transfers sent per second, each batch at its time; 0 for a burst
   */
  public record Plan(
      List<String> rpcUrls,
      PrivateKey funder,
      int senders,
      int transactions,
      int batchSize,
      int connections,
      long seed,
      double ratePerSecond) {
    public Plan {
      rpcUrls = List.copyOf(rpcUrls);
      if (rpcUrls.isEmpty()) {
        throw new IllegalArgumentException("a load run needs at least one node to send through");
      }
      if (ratePerSecond < 0 || !Double.isFinite(ratePerSecond)) {
        throw new IllegalArgumentException(
            "the rate must be 0 (a burst) or a number of transfers per second, got "
                + ratePerSecond);
      }
    }
  }

  private final Plan plan;
  private final Consumer<String> progress;
  private final RpcClient rpc;
  private final HttpClient http = HttpClient.newHttpClient();

  public LoadGenerator(Plan plan, Consumer<String> progress) {
    this.plan = plan;
    this.progress = progress;
    this.rpc = new RpcClient(plan.rpcUrls().get(0));
  }

  public LoadReport run() throws IOException, InterruptedException {
    long chainId = Quantities.parseLong(rpc.call("ascribe_chainId").asText());
    BigInteger fee = Quantities.parse(rpc.call("ascribe_minFee").asText());
    List<PrivateKey> senders = deriveSenders();
    HeadSubscription heads = HeadSubscription.open(plan.rpcUrls().get(0));
    try {
      fund(senders, chainId, fee, heads);
      List<SignedTransaction> txs = sign(senders, chainId, fee);
      progress.accept(
          "signed " + txs.size() + " transfers from " + senders.size() + " accounts; sending");
      return measure(txs, heads);
    } finally {
      heads.close();
    }
  }

  private List<PrivateKey> deriveSenders() {
    SecureRandom random = seeded(plan.seed());
    List<PrivateKey> keys = new ArrayList<>();
    for (int i = 0; i < plan.senders(); i++) {
      keys.add(PrivateKey.generate(random));
    }
    return keys;
  }

  private static SecureRandom seeded(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      return random;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA1PRNG is part of every JDK", e);
    }
  }

  /** Gives each sender enough for its share of transfers and fees, and waits until it lands. */
  private void fund(List<PrivateKey> senders, long chainId, BigInteger fee, HeadSubscription heads)
      throws IOException, InterruptedException {
    int perSender = (plan.transactions() + senders.size() - 1) / senders.size();
    BigInteger each =
        fee.add(BigInteger.valueOf(1000))
            .multiply(BigInteger.valueOf(perSender))
            .add(Amount.ONE_OPEN);
    long nonce =
        Quantities.parseLong(
            rpc.call("ascribe_getNonce", plan.funder().address().toString(), "pending").asText());
    List<SignedTransaction> funding = new ArrayList<>();
    for (PrivateKey sender : senders) {
      funding.add(
          SignedTransaction.sign(
              TxBodies.transfer(chainId, nonce++, fee, sender.address(), each), plan.funder()));
    }
    for (int i = 0; i < funding.size(); i += 500) {
      List<SignedTransaction> chunk = funding.subList(i, Math.min(funding.size(), i + 500));
      sendBatch(plan.rpcUrls().get(0), chunk);
      String last = chunk.get(chunk.size() - 1).hash().toHex();
      while (rpc.call("ascribe_getTransactionReceipt", last).isNull()) {
        heads.next(Duration.ofSeconds(60));
      }
    }
    progress.accept("funded " + senders.size() + " senders");
  }

  private List<SignedTransaction> sign(List<PrivateKey> senders, long chainId, BigInteger fee) {
    SecureRandom random = seeded(plan.seed() + 1);
    Map<PrivateKey, Long> nonces = new HashMap<>();
    List<SignedTransaction> txs = new ArrayList<>(plan.transactions());
    for (int i = 0; i < plan.transactions(); i++) {
      PrivateKey from = senders.get(i % senders.size());
      long nonce = nonces.merge(from, 1L, Long::sum) - 1;
      byte[] to = new byte[Address.SIZE];
      random.nextBytes(to);
      txs.add(
          SignedTransaction.sign(
              TxBodies.transfer(
                  chainId,
                  nonce,
                  fee,
                  Address.wrap(to),
                  BigInteger.valueOf(1 + random.nextInt(1000))),
              from));
    }
    return txs;
  }

  private LoadReport measure(List<SignedTransaction> txs, HeadSubscription heads)
      throws IOException, InterruptedException {
    Map<String, Long> sentAt = new java.util.concurrent.ConcurrentHashMap<>();
    int nodes = plan.rpcUrls().size();
    AtomicIntegerArray perNode = new AtomicIntegerArray(nodes);
    long start = System.nanoTime();
    ScheduledExecutorService pool = Executors.newScheduledThreadPool(plan.connections());
    List<Future<?>> sends = new ArrayList<>();
    for (int i = 0; i < txs.size(); i += plan.batchSize()) {
      int from = i;
      List<SignedTransaction> batch = txs.subList(i, Math.min(txs.size(), i + plan.batchSize()));
      // A paced batch is due when the transfers before it have had their share of the time.
      long dueNanos = plan.ratePerSecond() > 0 ? (long) (i / plan.ratePerSecond() * 1e9) : 0;
      sends.add(
          pool.schedule(
              () -> {
                // Transfer j is from sender j % senders, which sends through node sender % nodes.
                List<List<SignedTransaction>> byNode = new ArrayList<>();
                for (int n = 0; n < nodes; n++) {
                  byNode.add(new ArrayList<>());
                }
                for (int j = 0; j < batch.size(); j++) {
                  byNode.get((from + j) % plan.senders() % nodes).add(batch.get(j));
                }
                long now = System.nanoTime();
                batch.forEach(tx -> sentAt.put(tx.hash().toHex(), now));
                for (int n = 0; n < nodes; n++) {
                  if (!byNode.get(n).isEmpty()) {
                    sendBatch(plan.rpcUrls().get(n), byNode.get(n));
                    perNode.addAndGet(n, byNode.get(n).size());
                  }
                }
                return null;
              },
              Math.max(0, start + dueNanos - System.nanoTime()),
              TimeUnit.NANOSECONDS));
    }
    for (Future<?> send : sends) {
      try {
        send.get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IOException("sending failed: " + e.getCause().getMessage(), e.getCause());
      }
    }
    pool.shutdown();
    double sendSeconds = (System.nanoTime() - start) / 1e9;
    progress.accept(
        String.format("sent %d transfers in %.2f s; waiting for blocks", txs.size(), sendSeconds));

    List<Long> latencies = new ArrayList<>();
    long lastCommit = start;
    int blocks = 0;
    int remaining = txs.size();
    while (remaining > 0) {
      HeadSubscription.Head head = heads.next(Duration.ofSeconds(60));
      JsonNode block = rpc.call("ascribe_getBlockByNumber", Quantities.toHex(head.height()), false);
      int found = 0;
      for (JsonNode hash : block.path("transactions")) {
        Long sent = sentAt.remove(hash.asText());
        if (sent != null) {
          latencies.add(TimeUnit.NANOSECONDS.toMillis(head.arrivedNanos() - sent));
          found++;
        }
      }
      if (found > 0) {
        blocks++;
        remaining -= found;
        lastCommit = head.arrivedNanos();
        progress.accept(
            "block " + head.height() + ": " + found + " transfers, " + remaining + " to go");
      }
    }
    return new LoadReport(
        txs.size(),
        latencies.size(),
        (lastCommit - start) / 1e9,
        latencies.stream().mapToLong(Long::longValue).toArray(),
        blocks,
        IntStream.range(0, nodes).map(perNode::get).toArray());
  }

  private void sendBatch(String url, List<SignedTransaction> batch)
      throws IOException, InterruptedException {
    ArrayNode body = JSON.createArrayNode();
    int id = 0;
    for (SignedTransaction tx : batch) {
      ObjectNode call = body.addObject();
      call.put("jsonrpc", "2.0").put("id", id++).put("method", "ascribe_sendRawTransaction");
      call.putArray("params").add(Hex.encode(tx.encoded()));
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    JsonNode responses =
        JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    for (JsonNode response : responses) {
      if (response.has("error")) {
        throw new IOException(
            "the node at "
                + url
                + " refused a transfer: "
                + response.path("error").path("message").asText());
      }
    }
  }
}
