package io.ascribe.node.bridge;

import io.ascribe.contracts.settlement.DepositWatcher;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import io.ascribe.node.NodeConfig;
import io.ascribe.node.mempool.Mempool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * Runs a validator's deposit bridge on a thread of its own: every poll interval it asks the EVM
 * node (the {@code [bridge]} section of node.toml) for OpenBridge deposits with the genesis's
 * confirmations and hands them to a {@link DepositAttester}. Its state lives in {@code
 * DATA/bridge/}: the watcher's scan position ({@code deposit-watcher.properties}) and the deposits
 * not yet settled on Ascribe ({@code pending-deposits.json}). An EVM node that fails is reported
 * once per outage, with the fix, and retried with a growing delay; nothing here stops the node.
 */
public final class BridgeService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeService.class);

  /** The longest wait between retries while the EVM node fails. */
  private static final Duration RETRY_CEILING = Duration.ofSeconds(30);

  private final String url;
  private final Genesis.Bridge bridge;
  private final Web3j web3j;
  private final DepositWatcher watcher;
  private final DepositAttester attester;
  private final EvmOutage outage;
  private final Path watcherFile;
  private final ScheduledThreadPoolExecutor thread;
  private boolean chainChecked;

  private BridgeService(
      NodeConfig.BridgeWatch watch, Genesis.Bridge bridge, DepositAttester attester, Path dir) {
    this.url = watch.evmRpcUrl();
    this.bridge = bridge;
    this.web3j = Web3j.build(new HttpService(url));
    this.watcherFile = dir.resolve("deposit-watcher.properties");
    this.watcher =
        new DepositWatcher(
            web3j, bridge.address(), bridge.confirmations(), watch.fromBlock(), watcherFile);
    this.attester = attester;
    this.outage = new EvmOutage(LOG, "Deposits", watch.pollInterval(), RETRY_CEILING);
    this.thread =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "deposit-bridge");
              t.setDaemon(true);
              return t;
            });
    thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * Starts watching the genesis's bridge through {@code watch} and attesting with {@code key}.
   *
   * @param dir where the bridge's state files live
   * @param gossip sends a transaction this node submitted to its peers
   */
  public static BridgeService start(
      Ledger ledger,
      Mempool mempool,
      PrivateKey key,
      Consumer<SignedTransaction> gossip,
      NodeConfig.BridgeWatch watch,
      Path dir) {
    Genesis.Bridge bridge =
        ledger
            .genesis()
            .bridge()
            .orElseThrow(() -> new IllegalArgumentException("the genesis has no bridge section"));
    DepositAttester attester =
        new DepositAttester(
            ledger,
            mempool,
            key,
            gossip,
            new PendingDeposits(dir.resolve("pending-deposits.json")));
    BridgeService service = new BridgeService(watch, bridge, attester, dir);
    LOG.info(
        "Watching OpenBridge {} on EVM chain {} through {} ({} confirmations)",
        bridge.address(),
        bridge.evmChainId(),
        service.url,
        bridge.confirmations());
    service.thread.execute(service::round);
    return service;
  }

  /** One poll of the EVM node, then one pass over the pending deposits; schedules the next. */
  private void round() {
    Duration next;
    try {
      checkChain();
      watcher.poll(attester::take);
      outage.succeeded();
      next = outage.next();
    } catch (RuntimeException e) {
      chainChecked = false;
      next = outage.failed(explain(e)).after();
    }
    try {
      attester.attestPending();
    } catch (RuntimeException e) {
      LOG.error("Deposits: attesting failed; retrying next round", e);
    }
    try {
      thread.schedule(this::round, next.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // The node is stopping.
    }
  }

  /** Refuses an EVM node on another chain than the genesis's bridge, saying what to change. */
  private void checkChain() {
    if (chainChecked) {
      return;
    }
    BigInteger chainId;
    try {
      chainId = web3j.ethChainId().send().getChainId();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (chainId.longValueExact() != bridge.evmChainId()) {
      throw new WrongChainException(
          "the EVM node at "
              + url
              + " serves chain "
              + chainId
              + ", but the genesis's bridge is on EVM chain "
              + bridge.evmChainId()
              + ": point [bridge] evm_rpc in node.toml (--evm-rpc for ascribe devnet) at that"
              + " chain");
    }
    chainChecked = true;
  }

  /** The EVM node serves another chain than the genesis's bridge is on. */
  private static final class WrongChainException extends IllegalStateException {
    WrongChainException(String message) {
      super(message);
    }
  }

  /** The failure in one line, with what to do about it. */
  private String explain(RuntimeException e) {
    if (e instanceof DepositWatcher.DeepReorgException) {
      return e.getMessage()
          + ". Check the deposits attested from those blocks; then, to rescan, stop the node and"
          + " remove "
          + watcherFile
          + " (deposits already credited are skipped)";
    }
    if (e instanceof WrongChainException) {
      return e.getMessage();
    }
    return EvmOutage.unreachable(e)
        .map(
            why ->
                "cannot reach the EVM node at "
                    + url
                    + " ("
                    + why
                    + "): deposits are not attested until it answers; is it running, and is that"
                    + " its URL ([bridge] evm_rpc in node.toml, --evm-rpc for ascribe devnet)?")
        .orElse("watching the EVM chain failed: " + e);
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("Deposits: the bridge thread did not stop within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    web3j.shutdown();
  }
}
