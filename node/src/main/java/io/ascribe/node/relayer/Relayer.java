package io.ascribe.node.relayer;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.contracts.settlement.ContractRevertedException;
import io.ascribe.contracts.settlement.SettlementClient;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.settlement.ValidatorSet;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.node.api.ChainApi;
import io.ascribe.node.bridge.EvmOutage;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.client.RpcClientException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;

/**
 * Follows an Ascribe chain and brings its RewardDistributor on an EVM chain up to date: for each
 * ended epoch the distributor does not hold yet, in order, it takes the epoch's root and its
 * validators' signatures from the chain's commit ({@code ascribe_getEpochRoot}) and submits them
 * ({@code submitEpoch}), after the validator-set updates the distributor needs to recognise the
 * epoch's signers ({@code ascribe_getValidatorSetUpdates}, {@code updateValidatorSet}, in nonce
 * order; docs/adr/008). Anyone may run it: its key only pays gas, and the contract accepts nothing
 * the signatures do not carry. It keeps no state of its own; every pass starts from the
 * distributor's latest epoch, so a restarted relayer (or two relayers) submits nothing twice. An
 * unreachable Ascribe or EVM node is logged once per outage, with the fix, and retried with a
 * growing delay.
 */
public final class Relayer implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Relayer.class);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);

  /**
   * What the relayer follows and where it submits.
   *
   * @param rpcUrl the Ascribe node's JSON-RPC URL
   * @param evmRpcUrl the EVM chain's JSON-RPC URL
   * @param distributor the RewardDistributor the chain's genesis names
   * @param key the EVM account that sends (and pays for) the transactions
   * @param interval the delay between polls while both nodes answer
   */
  public record Settings(
      String rpcUrl, String evmRpcUrl, Address distributor, PrivateKey key, Duration interval) {}

  /** A pass that could not run because a node did not answer; says which and how to fix it. */
  static final class Unreachable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message, null, false, false);
    }
  }

  /** The relayer cannot do anything useful with these settings; it stops. */
  public static final class MisconfiguredException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MisconfiguredException(String message) {
      super(message, null, false, false);
    }
  }

  private final Settings settings;
  private final RpcClient ascribe;
  private final Web3j web3j;
  private SettlementClient evm;
  private volatile boolean closed;
  private volatile Thread loop;
  private final EvmOutage outage;
  private String blockedOn;
  private boolean chainChecked;

  public Relayer(Settings settings) {
    this.settings = settings;
    this.ascribe = new RpcClient(settings.rpcUrl());
    this.web3j = Web3j.build(new HttpService(settings.evmRpcUrl()));
    this.outage = new EvmOutage(LOG, "Relaying", settings.interval(), MAX_RETRY);
  }

  /** The settlement client, made on first use: making one asks the EVM node (its chain id). */
  private SettlementClient evm() {
    if (evm == null) {
      evm = new SettlementClient(web3j, settings.key());
    }
    return evm;
  }

  /** Runs {@link #run} on a daemon thread named "relayer" and returns it. */
  public Thread start() {
    Thread thread =
        new Thread(
            () -> {
              try {
                run();
              } catch (MisconfiguredException e) {
                LOG.error("the relayer stops: {}", e.getMessage());
              }
            },
            "relayer");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /**
   * Polls until {@link #close} (or an interrupt): one pass, then the interval, or a growing delay
   * while a node is unreachable.
   *
   * @throws MisconfiguredException when the settings cannot work (wrong distributor or EVM chain)
   */
  @Override
  public void run() {
    loop = Thread.currentThread();
    LOG.info(
        "relaying epochs of {} to distributor {} on {} (gas paid by {})",
        settings.rpcUrl(),
        settings.distributor(),
        settings.evmRpcUrl(),
        settings.key().address());
    while (!closed) {
      Duration wait;
      try {
        relayOnce();
        outage.succeeded();
        wait = outage.next();
      } catch (Unreachable e) {
        wait = outage.failed(e.getMessage()).after();
      } catch (MisconfiguredException e) {
        throw e;
      } catch (RuntimeException e) {
        // A node answered with an error, or a transaction failed: say so once, try again later.
        wait = outage.failed("relaying failed: " + e.getMessage()).after();
      }
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * One pass: submits, in order, every ended epoch above the distributor's latest whose signers are
   * the distributor's validator set, and returns the epochs submitted.
   *
   * @throws Unreachable when the Ascribe or the EVM node does not answer
   * @throws MisconfiguredException when the chain signs for another distributor or EVM chain
   */
  public List<Long> relayOnce() {
    long ended = latestEndedEpoch();
    long held = onEvm(() -> evm().latestEpoch(settings.distributor()));
    List<Long> submitted = new ArrayList<>();
    for (long epoch = held + 1; epoch <= ended && !closed; epoch++) {
      Relayed outcome = relay(epoch);
      if (outcome == Relayed.SUBMITTED) {
        submitted.add(epoch);
      } else if (outcome == Relayed.BLOCKED) {
        break;
      }
    }
    return submitted;
  }

  /** What became of one epoch in a pass. */
  private enum Relayed {
    SUBMITTED,
    /** Someone else submitted it first. */
    ALREADY_THERE,
    /** Its signers are not the distributor's set; no later epoch can go either. */
    BLOCKED
  }

  private Relayed relay(long epoch) {
    JsonNode root = onAscribe(() -> ascribe.call("ascribe_getEpochRoot", Quantities.toHex(epoch)));
    checkSignedForUs(root);
    Hash signedBy = Hash.fromHex(root.path("validatorSetHash").asText());
    Hash stored = onEvm(() -> evm().validatorSetHash(settings.distributor()));
    if (!stored.equals(signedBy)) {
      stored = followValidatorSet(Quantities.parseLong(root.path("height").asText()), stored);
    }
    if (!stored.equals(signedBy)) {
      String why =
          "epoch "
              + epoch
              + " is signed by the validator set with hash "
              + signedBy
              + ", but the distributor holds the set "
              + stored
              + " and the chain serves no update to it (ascribe_getValidatorSetUpdates)";
      if (!why.equals(blockedOn)) {
        LOG.warn(why);
        blockedOn = why;
      }
      return Relayed.BLOCKED;
    }
    blockedOn = null;
    return submit(epoch, root).isPresent() ? Relayed.SUBMITTED : Relayed.ALREADY_THERE;
  }

  /**
   * Submits, in nonce order, the validator-set updates the distributor lacks that the chain
   * announced before block {@code beforeHeight}, and returns the distributor's set hash after them.
   */
  private Hash followValidatorSet(long beforeHeight, Hash stored) {
    Hash now = stored;
    while (true) {
      long nonce = onEvm(() -> evm().validatorSetNonce(settings.distributor()));
      JsonNode answer =
          onAscribe(() -> ascribe.call("ascribe_getValidatorSetUpdates", Quantities.toHex(nonce)));
      JsonNode updates = answer.path("updates");
      if (updates.isEmpty()) {
        return now;
      }
      for (JsonNode u : updates) {
        long height = Quantities.parseLong(u.path("height").asText());
        if (height >= beforeHeight) {
          return now;
        }
        List<Address> validators = new ArrayList<>();
        u.path("validators").forEach(a -> validators.add(Address.fromHex(a.asText())));
        List<BigInteger> powers = new ArrayList<>();
        u.path("powers").forEach(p -> powers.add(Quantities.parse(p.asText())));
        List<byte[]> signatures = new ArrayList<>();
        u.path("signatures").forEach(sig -> signatures.add(Hex.decode(sig.asText())));
        long updateNonce = Quantities.parseLong(u.path("nonce").asText());
        ValidatorSet next = new ValidatorSet(validators, powers);
        try {
          TransactionReceipt receipt =
              onEvm(() -> evm().updateValidatorSet(settings.distributor(), next, signatures));
          LOG.info(
              "submitted validator-set update {} (set {}, {} validators, signed at block {} by {}"
                  + " of the outgoing set) in EVM transaction {}, gas {}",
              updateNonce,
              next.hash(),
              validators.size(),
              height,
              signatures.size(),
              receipt.getTransactionHash(),
              receipt.getGasUsed());
        } catch (ContractRevertedException e) {
          // Another relayer may have sent it first; the nonce read again tells.
          LOG.info(
              "validator-set update {} not submitted: the distributor refused it ({})",
              updateNonce,
              e.getMessage());
          if (onEvm(() -> evm().validatorSetNonce(settings.distributor())) <= updateNonce) {
            return onEvm(() -> evm().validatorSetHash(settings.distributor()));
          }
        }
        now = onEvm(() -> evm().validatorSetHash(settings.distributor()));
      }
    }
  }

  private Optional<TransactionReceipt> submit(long epoch, JsonNode root) {
    Hash rewardsRoot = Hash.fromHex(root.path("root").asText());
    List<byte[]> signatures = new ArrayList<>();
    root.path("signatures").forEach(sig -> signatures.add(Hex.decode(sig.asText())));
    TransactionReceipt receipt;
    try {
      receipt =
          onEvm(() -> evm().submitEpoch(settings.distributor(), epoch, rewardsRoot, signatures));
    } catch (ContractRevertedException e) {
      // Another relayer got there between our read of latestEpoch and our transaction.
      LOG.info("epoch {} not submitted: the distributor refused it ({})", epoch, e.getMessage());
      return Optional.empty();
    }
    LOG.info(
        "submitted epoch {} (root {}, {} signatures) in EVM transaction {}, gas {}",
        epoch,
        rewardsRoot,
        signatures.size(),
        receipt.getTransactionHash(),
        receipt.getGasUsed());
    return Optional.of(receipt);
  }

  /** The chain's latest ended epoch, 0 before the first ends. */
  private long latestEndedEpoch() {
    try {
      JsonNode root = onAscribe(() -> ascribe.call("ascribe_getEpochRoot", "latest"));
      return Quantities.parseLong(root.path("epoch").asText());
    } catch (RpcClientException e) {
      if (e.code() == ChainApi.NOT_FOUND) {
        return 0; // no epoch has ended yet
      }
      throw e;
    }
  }

  private void checkSignedForUs(JsonNode root) {
    JsonNode settlement = root.path("settlement");
    if (settlement.isNull() || settlement.isMissingNode()) {
      throw new MisconfiguredException(
          "the chain at "
              + settings.rpcUrl()
              + " names no settlement distributor in its genesis, so its validators sign no epoch"
              + " roots: there is nothing to relay");
    }
    Address signedFor = Address.fromHex(settlement.path("distributor").asText());
    if (!signedFor.equals(settings.distributor())) {
      throw new MisconfiguredException(
          "the chain's validators sign epoch roots for the distributor "
              + signedFor
              + ", not "
              + settings.distributor()
              + ": pass --distributor "
              + signedFor);
    }
    if (!chainChecked) {
      long wanted = Quantities.parseLong(settlement.path("evmChainId").asText());
      long actual = onEvm(() -> evm().chainId());
      if (wanted != actual) {
        throw new MisconfiguredException(
            "the chain's validators sign for EVM chain "
                + wanted
                + ", but "
                + settings.evmRpcUrl()
                + " is chain "
                + actual
                + ": pass --evm-rpc of chain "
                + wanted);
      }
      chainChecked = true;
    }
  }

  private JsonNode onAscribe(java.util.function.Supplier<JsonNode> call) {
    try {
      return call.get();
    } catch (RpcClientException e) {
      if (e.code() == 0) {
        throw new Unreachable(
            "the Ascribe node at "
                + settings.rpcUrl()
                + " does not answer ("
                + e.getMessage()
                + "): start it, or pass the URL of one that runs with --rpc");
      }
      throw e;
    }
  }

  private <T> T onEvm(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (ContractRevertedException e) {
      throw e;
    } catch (RuntimeException e) {
      throw EvmOutage.unreachable(e)
          .<RuntimeException>map(
              why ->
                  new Unreachable(
                      "the EVM node at "
                          + settings.evmRpcUrl()
                          + " does not answer ("
                          + why
                          + "): start it, or pass the URL of one that runs with --evm-rpc"))
          .orElse(e);
    }
  }

  /** Stops the loop after the transaction in flight, if any, and releases the EVM connection. */
  @Override
  public void close() {
    closed = true;
    Thread running = loop;
    if (running != null && running != Thread.currentThread()) {
      running.interrupt();
      try {
        running.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    web3j.shutdown();
  }
}
