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
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
      DevnetProcess devnet = DevnetProcess.start(dir, BLOCK_TIME_MS);
      try {
        String url = devnet.rpcUrl();
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
        devnet.kill();
        sending.set(false);
        load.join();
      } finally {
        devnet.kill();
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
