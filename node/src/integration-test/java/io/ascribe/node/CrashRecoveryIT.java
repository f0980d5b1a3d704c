package io.ascribe.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Block;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.client.RpcClientException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real devnet process with SIGKILL at seeded random moments while it commits blocks under
 * load, and checks after each crash that the store reopens at or after every height a client saw
 * committed, with the same state roots, and that nothing half-written is visible (the ledger's open
 * rebuilds the state tree and compares it with the head's state root).
 */
class CrashRecoveryIT {
  private static final int ROUNDS = 6;
  private static final long BLOCK_TIME_MS = 20;

  @TempDir Path dir;

  @Test
  void killNineAtRandomMomentsLosesNoCommittedBlock() throws Exception {
    Random random = new Random(20261125);
    Genesis genesis = DevnetGenesis.create(BLOCK_TIME_MS);
    List<PrivateKey> dev = DevnetGenesis.devAccounts();
    Map<Long, String> seenRoots = new HashMap<>();
    long seenHeight = 0;

    for (int round = 0; round < ROUNDS; round++) {
      Process process = startDevnet();
      try {
        String url = awaitRpcUrl(process);
        RpcClient rpc = new RpcClient(url);
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread load =
            new Thread(
                () -> sendTransfers(rpc, genesis, dev, new Random(random.nextLong()), sending));
        load.start();
        int blocksToWatch = 3 + random.nextInt(10);
        try (HeadSubscription heads = HeadSubscription.open(url)) {
          for (int i = 0; i < blocksToWatch; i++) {
            HeadSubscription.Head head = heads.next(Duration.ofSeconds(30));
            long height = head.height();
            seenRoots.put(height, head.json().path("stateRoot").asText());
            seenHeight = Math.max(seenHeight, height);
          }
        }
        // The kill lands a random few milliseconds later: during execution, the batch write, or
        // idle.
        long killAt =
            System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(random.nextInt((int) BLOCK_TIME_MS * 3));
        while (System.nanoTime() < killAt) {
          Thread.onSpinWait();
        }
        process.destroyForcibly();
        process.waitFor();
        sending.set(false);
        load.join();
      } finally {
        process.destroyForcibly();
      }

      try (Ledger ledger = Ledger.open(dir, genesis)) {
        assertThat(ledger.height())
            .as("round %d recovered height", round)
            .isGreaterThanOrEqualTo(seenHeight);
        for (Map.Entry<Long, String> seen : seenRoots.entrySet()) {
          Block block = ledger.block(seen.getKey()).orElseThrow();
          assertThat(Hex.encode(block.getHeader().getStateRoot().toByteArray()))
              .as("state root of block %d after round %d", seen.getKey(), round)
              .isEqualTo(seen.getValue());
        }
      }
    }
  }

  private Process startDevnet() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            "io.ascribe.node.cli.Main",
            "devnet",
            "--data-dir",
            dir.toString(),
            "--rpc-port",
            "0",
            "--metrics-port",
            "-1",
            "--block-time",
            Long.toString(BLOCK_TIME_MS));
    builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    return builder.start();
  }

  /** Reads the banner for the RPC URL, then keeps draining stdout so the process never blocks. */
  private static String awaitRpcUrl(Process process) throws InterruptedException {
    BlockingQueue<String> url = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  if (line.trim().startsWith("RPC URL")) {
                    url.add(line.trim().split("\\s+")[2]);
                  }
                }
              } catch (IOException ignored) {
                // The process was killed; its pipe closes.
              }
            });
    reader.setDaemon(true);
    reader.start();
    String found = url.poll(60, TimeUnit.SECONDS);
    assertThat(found).as("devnet printed its RPC URL").isNotNull();
    return found;
  }

  private static void sendTransfers(
      RpcClient rpc, Genesis genesis, List<PrivateKey> dev, Random random, AtomicBoolean sending) {
    List<PrivateKey> senders = new ArrayList<>(dev.subList(1, dev.size()));
    Map<PrivateKey, Long> nonces = new HashMap<>();
    while (sending.get()) {
      PrivateKey from = senders.get(random.nextInt(senders.size()));
      try {
        long nonce =
            nonces.containsKey(from)
                ? nonces.get(from)
                : Quantities.parseLong(
                    rpc.call("ascribe_getNonce", from.address().toString(), "pending").asText());
        byte[] raw = new byte[20];
        random.nextBytes(raw);
        SignedTransaction tx =
            SignedTransaction.sign(
                TxBodies.transfer(
                    genesis.chainId(),
                    nonce,
                    genesis.params().minFee(),
                    Address.wrap(raw),
                    BigInteger.valueOf(1 + random.nextInt(1000))),
                from);
        rpc.call("ascribe_sendRawTransaction", Hex.encode(tx.encoded()));
        nonces.put(from, nonce + 1);
      } catch (RpcClientException e) {
        // The node died under us, or a nonce went stale across a crash: refetch and go on.
        nonces.remove(from);
        if (e.code() == 0) {
          return;
        }
      }
    }
  }
}
