package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.contracts.settlement.ContractRevertedException;
import io.ascribe.contracts.settlement.SettlementClient;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe rewards ...}: see what an account earned on Ascribe, relay an epoch's root with
 * its validators' signatures to the EVM distributor, and claim the OPEN it pays.
 */
@Command(
    name = "rewards",
    description = "Rewards: what an account earned, relaying epoch roots, claiming OPEN.",
    subcommands = {
      RewardsCommand.Show.class,
      RewardsCommand.SubmitEpoch.class,
      RewardsCommand.Claim.class
    })
final class RewardsCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static String epochParam(long epoch) {
    return Quantities.toHex(epoch);
  }

  @Command(
      name = "show",
      description = "An account's cumulative rewards and what each recent epoch's root holds.")
  static final class Show implements Runnable {
    @Mixin RpcOption rpc;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--address", paramLabel = "ADDR", required = true, description = "Account.")
    String address;

    @Override
    public void run() {
      Address who = Address.fromHex(address);
      JsonNode rewards = rpc.client().call("ascribe_getRewards", who.toString());
      PrintWriter out = spec.commandLine().getOut();
      out.printf("account       %s%n", who);
      out.printf(
          "credited      %s OPEN (cumulative, up to the latest block)%n",
          Amount.formatOpen(Quantities.parse(rewards.path("cumulative").asText())));
      long latest = Quantities.parseLong(rewards.path("latestEpoch").asText());
      out.printf("latest epoch  %d%n", latest);
      JsonNode epochs = rewards.path("epochs");
      if (epochs.isEmpty()) {
        out.printf("No ended epoch holds rewards for this account yet.%n");
      } else {
        out.printf("%n%8s  %10s  %s%n", "epoch", "height", "cumulative OPEN in its root");
        for (JsonNode e : epochs) {
          out.printf(
              "%8d  %10d  %s%n",
              Quantities.parseLong(e.path("epoch").asText()),
              Quantities.parseLong(e.path("height").asText()),
              Amount.formatOpen(Quantities.parse(e.path("cumulative").asText())));
        }
      }
      out.flush();
    }
  }

  @Command(
      name = "submit-epoch",
      description =
          "Relay an epoch's rewards root with its validators' signatures (from the chain's commit) to the distributor; anyone may.")
  static final class SubmitEpoch implements Runnable {
    @Mixin EvmOptions evm;
    @Mixin RpcOption rpc;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin DistributorOption distributorOption;

    @Option(names = "--epoch", paramLabel = "N", required = true, description = "Epoch to relay.")
    long epoch;

    @Override
    public void run() {
      Address distributor = distributorOption.address();
      JsonNode root = rpc.client().call("ascribe_getEpochRoot", epochParam(epoch));
      checkSignedFor(root, distributor);
      Hash rewardsRoot = Hash.fromHex(root.path("root").asText());
      Hash signedSet = Hash.fromHex(root.path("validatorSetHash").asText());
      List<byte[]> signatures = new ArrayList<>();
      root.path("signatures").forEach(sig -> signatures.add(Hex.decode(sig.asText())));
      TransactionReceipt receipt =
          evm.with(
              client -> {
                if (client.chainId() != evmChainId(root)) {
                  throw new UserErrorException(
                      "the chain's validators sign for EVM chain "
                          + evmChainId(root)
                          + ", but "
                          + evm.url
                          + " is chain "
                          + client.chainId());
                }
                long latest = client.latestEpoch(distributor);
                if (latest >= epoch) {
                  throw new UserErrorException(
                      "the distributor already holds epoch "
                          + latest
                          + ": it takes only later epochs, so relay a later one");
                }
                Hash stored = client.validatorSetHash(distributor);
                if (!stored.equals(signedSet)) {
                  throw new UserErrorException(
                      "the distributor's validator set (hash "
                          + stored
                          + ") is not the set that signed epoch "
                          + epoch
                          + " ("
                          + signedSet
                          + "): it must first follow the chain's validator-set updates, which"
                          + " `ascribe relayer` submits before the epochs");
                }
                return client.submitEpoch(distributor, epoch, rewardsRoot, signatures);
              });
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "submitted epoch %d (root %s) with %d validator signatures in EVM transaction %s, gas"
              + " %s%n",
          epoch,
          rewardsRoot,
          signatures.size(),
          receipt.getTransactionHash(),
          receipt.getGasUsed());
      out.flush();
    }
  }

  /** Fails unless the chain's validators signed {@code root} for {@code distributor}. */
  private static void checkSignedFor(JsonNode root, Address distributor) {
    JsonNode settlement = root.path("settlement");
    if (settlement.isNull() || settlement.isMissingNode()) {
      throw new UserErrorException(
          "this chain's genesis names no settlement distributor, so its validators sign no epoch"
              + " roots: a chain that settles on an EVM chain names it in its genesis"
              + " (\"settlement\")");
    }
    Address signedFor = Address.fromHex(settlement.path("distributor").asText());
    if (!signedFor.equals(distributor)) {
      throw new UserErrorException(
          "the chain's validators sign epoch roots for the distributor "
              + signedFor
              + ", not "
              + distributor
              + ": pass --distributor "
              + signedFor);
    }
    if (root.path("signatures").isEmpty()) {
      throw new UserErrorException(
          "epoch " + Quantities.parseLong(root.path("epoch").asText()) + " carries no signatures");
    }
  }

  private static long evmChainId(JsonNode root) {
    return Quantities.parseLong(root.path("settlement").path("evmChainId").asText());
  }

  @Command(
      name = "claim",
      description =
          "Claim an account's cumulative rewards on the distributor, which pays what it has not paid yet. The amount and proof come from the chain (--rpc), or from --amount and --proof.")
  static final class Claim implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin EvmOptions evm;
    @Mixin RpcOption rpc;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin DistributorOption distributorOption;

    @Option(
        names = "--epoch",
        paramLabel = "N",
        description =
            "Epoch whose proof to take from the chain (default: the distributor's latest, the only"
                + " root it checks claims against).")
    Long epoch;

    @Option(
        names = "--amount",
        paramLabel = "CUMULATIVE",
        description =
            "The account's cumulative reward in OPEN, as in the proof (with --proof, instead of"
                + " asking the chain).")
    String amount;

    @Option(
        names = "--proof",
        paramLabel = "FILE",
        description = "JSON list of the proof's hashes (or an object with a \"proof\" list).")
    Path proofFile;

    @Option(
        names = "--account",
        paramLabel = "ADDR",
        description =
            "Account to claim for (default: the key's address; the OPEN always goes to the account).")
    String account;

    @Override
    public void run() {
      Address distributorAddress = distributorOption.address();
      Address who =
          account != null ? Address.fromHex(account) : PrivateKey.fromHex(evm.key).address();
      if ((amount == null) != (proofFile == null)) {
        throw new UserErrorException(
            "--amount and --proof go together; leave both out to take them from the chain (--rpc)");
      }
      if (amount != null && epoch != null) {
        throw new UserErrorException(
            "--epoch picks a proof from the chain; it does not go with --amount and --proof");
      }
      Claimed claimed;
      try {
        // One EVM connection for every read and the claim itself.
        claimed =
            evm.withReverts(
                client ->
                    amount != null
                        ? claim(
                            client,
                            distributorAddress,
                            who,
                            Amount.parseOpen(amount),
                            readProof(proofFile),
                            "")
                        : claimFromChain(client, distributorAddress, who));
      } catch (ContractRevertedException e) {
        throw new UserErrorException("the contract refused: " + e.getMessage());
      }
      report(who, claimed);
    }

    /** Tries when the distributor's root moves under a claim, before giving up. */
    private static final int MAX_ATTEMPTS = 3;

    private record Claimed(
        BigInteger paid, BigInteger cumulative, String from, TransactionReceipt receipt) {}

    /**
     * Claims with the chain's proof for the distributor's latest root (or {@code --epoch}'s). The
     * relayer may put a newer epoch's root on the distributor while this claim is on its way, and
     * the proof of the older root then fails: it takes the new epoch's proof and tries again
     * (unless {@code --epoch} pinned one).
     */
    private Claimed claimFromChain(SettlementClient client, Address distributor, Address who) {
      for (int attempt = 1; ; attempt++) {
        boolean mayRetry = epoch == null && attempt < MAX_ATTEMPTS;
        long chosen = epoch != null ? epoch : client.latestEpoch(distributor);
        if (chosen == 0) {
          throw new UserErrorException(
              "the distributor holds no epoch root yet: relay one first with `ascribe rewards"
                  + " submit-epoch`");
        }
        JsonNode proof =
            rpc.client().call("ascribe_getRewardProof", who.toString(), epochParam(chosen));
        List<Hash> siblings = new ArrayList<>();
        proof.path("proof").forEach(h -> siblings.add(Hash.fromHex(h.asText())));
        Hash root = Hash.fromHex(proof.path("root").asText());
        long held = client.latestEpoch(distributor);
        if (held != chosen || !client.rewardsRoot(distributor).equals(root)) {
          if (mayRetry) {
            continue;
          }
          throw new UserErrorException(
              "the distributor checks claims against its latest root, epoch "
                  + held
                  + ", not this chain's epoch "
                  + chosen
                  + ": relay epoch "
                  + chosen
                  + " with `ascribe rewards submit-epoch`, or claim with --epoch "
                  + held);
        }
        try {
          return claim(
              client,
              distributor,
              who,
              Quantities.parse(proof.path("cumulativeAmount").asText()),
              siblings,
              ", epoch " + chosen);
        } catch (ContractRevertedException e) {
          if (mayRetry && client.latestEpoch(distributor) != chosen) {
            continue;
          }
          throw e;
        }
      }
    }

    /** Sends the claim; a revert comes out as {@link ContractRevertedException}. */
    private static Claimed claim(
        SettlementClient client,
        Address distributor,
        Address who,
        BigInteger cumulative,
        List<Hash> proof,
        String from) {
      BigInteger before = client.claimed(distributor, who);
      if (before.compareTo(cumulative) >= 0) {
        throw new UserErrorException(
            "nothing to claim: the distributor has already paid "
                + who
                + " "
                + Amount.formatOpen(before)
                + " OPEN, and the proof is for a cumulative "
                + Amount.formatOpen(cumulative)
                + " OPEN");
      }
      TransactionReceipt receipt = client.claim(distributor, who, cumulative, proof);
      // From the receipt rather than cumulative − before: another sender may have claimed for
      // the same account in between.
      return new Claimed(client.paidByClaim(distributor, who, receipt), cumulative, from, receipt);
    }

    private void report(Address who, Claimed claimed) {
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "claimed %s OPEN for %s (cumulative %s OPEN%s) in EVM transaction %s, gas %s%n",
          Amount.formatOpen(claimed.paid()),
          who,
          Amount.formatOpen(claimed.cumulative()),
          claimed.from(),
          claimed.receipt().getTransactionHash(),
          claimed.receipt().getGasUsed());
      out.flush();
    }

    private static List<Hash> readProof(Path file) {
      JsonNode json;
      try {
        json = JSON.readTree(file.toFile());
      } catch (IOException e) {
        throw new UserErrorException("cannot read proof " + file + ": " + e.getMessage());
      }
      JsonNode list = json.isArray() ? json : json.path("proof");
      if (!list.isArray()) {
        throw new UserErrorException(
            file + ": expected a JSON list of hashes or {\"proof\": [...]}");
      }
      List<Hash> proof = new ArrayList<>();
      for (JsonNode h : list) {
        try {
          proof.add(Hash.fromHex(h.asText()));
        } catch (IllegalArgumentException e) {
          throw new UserErrorException(
              file + ": proof entry " + proof.size() + " is not a 32-byte hash: " + e.getMessage());
        }
      }
      return proof;
    }
  }
}
