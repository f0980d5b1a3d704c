package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.contracts.Anvil;
import io.ascribe.contracts.generated.RewardDistributor;
import io.ascribe.contracts.settlement.ContractRevertedException;
import io.ascribe.contracts.settlement.SettlementClient;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.settlement.Eip712Domain;
import io.ascribe.core.settlement.SettlementMessages;
import io.ascribe.core.settlement.ValidatorSet;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.GenesisWriter;
import io.ascribe.node.AscribeNode;
import io.ascribe.node.NodeConfig;
import io.ascribe.node.api.ChainApi;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.client.RpcClientException;
import io.ascribe.node.rpc.RpcException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

/**
 * Rewards from fee to OPEN, end to end: a devnet with ten-block epochs whose genesis names anvil's
 * distributor, fees paid to its validator, the contracts deployed for its validator set, the epoch
 * root relayed with the signatures the validator put in the block's commit, and the validator's
 * wallet claiming exactly what the chain says it earned; a tampered signature and a second claim
 * pay nothing.
 */
class RewardsSettlementIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long EPOCH_LENGTH = 10;
  private static final BigInteger FEE = Amount.parseOpen("2.5");

  private final List<PrivateKey> dev = DevnetGenesis.devAccounts();
  private final PrivateKey validator = dev.get(0);
  private final PrivateKey payer = dev.get(3);

  /** anvil's second account: any relayer may submit a root. */
  private final PrivateKey relayer = dev.get(1);

  private record Run(int exit, String out, String err) {}

  private static Run ascribe(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static String succeeds(Run run) {
    assertThat(run.exit()).as("exit code; stderr: %s", run.err()).isZero();
    return run.out();
  }

  private static void failsWith(Run run, String expected) {
    assertThat(run.exit()).as("exit code; stdout: %s", run.out()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: ").contains(expected).doesNotContain("at io.");
  }

  /** The devnet genesis with blocks every 50 ms and ten-block epochs. */
  private static Genesis genesis() {
    Genesis devnet = DevnetGenesis.create(50);
    return new Genesis(
        devnet.chainId(),
        devnet.genesisTime(),
        devnet.validators(),
        devnet.allocations(),
        devnet.params().withEpochLength(EPOCH_LENGTH),
        devnet.settlement(),
        Optional.empty());
  }

  /** What the chain has credited {@code account} so far. */
  private static BigInteger creditedTo(RpcClient rpc, Address account) {
    return Quantities.parse(
        rpc.call("ascribe_getRewards", account.toString()).path("cumulative").asText());
  }

  @Test
  void aValidatorsWalletClaimsOnTheEvmExactlyWhatTheChainCredited(@TempDir Path dir)
      throws Exception {
    Genesis genesis = genesis();
    try (Anvil anvil = Anvil.start()) {
      Contracts deployed = deploy(anvil, genesis, dir);
      Address token = deployed.token();
      Address distributor = deployed.distributor();
      assertThat(distributor).isEqualTo(genesis.settlement().orElseThrow().distributor());
      SettlementClient evm = new SettlementClient(anvil.web3j(), relayer);
      assertThat(evm.balanceOf(token, validator.address())).isZero();

      try (AscribeNode node =
          AscribeNode.start(
              new NodeConfig(dir.resolve("chain"), genesis, validator, "127.0.0.1", 0, -1))) {
        String url = node.rpcUrl();
        RpcClient rpc = new RpcClient(url);

        // Fees: 80% of each goes to the validator's cumulative reward, 20% is burned.
        long included = payFees(rpc, url, genesis, 0, 3);
        long epoch = included / EPOCH_LENGTH + 1; // its root covers every block before its last
        try (HeadSubscription heads = HeadSubscription.open(url)) {
          heads.awaitHeight(epoch * EPOCH_LENGTH, WAIT);
        }
        BigInteger credited = creditedTo(rpc, validator.address());
        assertThat(credited)
            .isEqualTo(FEE.multiply(BigInteger.valueOf(3 * 8)).divide(BigInteger.TEN));
        assertThat(
                succeeds(
                    ascribe(
                        "rewards",
                        "show",
                        "--rpc",
                        url,
                        "--address",
                        validator.address().toString())))
            .contains("credited      " + Amount.formatOpen(credited) + " OPEN");

        // The epoch's last block carries the root, and its commit the validator's signature.
        JsonNode block =
            rpc.call("ascribe_getBlockByNumber", Quantities.toHex(epoch * EPOCH_LENGTH), false);
        JsonNode root = rpc.call("ascribe_getEpochRoot", Quantities.toHex(epoch));
        assertThat(block.path("rewardsRoot").asText()).isEqualTo(root.path("root").asText());
        assertThat(
                block.path("commit").path("signatures").get(0).path("epochRootSignature").asText())
            .hasSize(2 + 130);
        assertThat(root.path("signatures")).hasSize(1);

        // A root whose signature was tampered with is refused by the contract.
        byte[] tampered = Hex.decode(root.path("signatures").get(0).asText());
        tampered[40] ^= 1;
        Hash rewardsRoot = Hash.fromHex(root.path("root").asText());
        assertThatThrownBy(
                () -> evm.submitEpoch(distributor, epoch, rewardsRoot, List.of(tampered)))
            .isInstanceOf(ContractRevertedException.class);
        assertThat(evm.latestEpoch(distributor)).isZero();

        // Anyone relays the root with the signatures from the chain.
        assertThat(succeeds(submitEpoch(url, anvil.url(), distributor, epoch)))
            .contains("submitted epoch " + epoch);
        assertThat(evm.latestEpoch(distributor)).isEqualTo(epoch);
        assertThat(evm.rewardsRoot(distributor)).isEqualTo(rewardsRoot);

        // The validator's wallet claims with the proof the chain serves: to the unit what it
        // earned.
        String[] claim = claimArgs(url, anvil.url(), distributor);
        assertThat(succeeds(ascribe(claim)))
            .contains("claimed " + Amount.formatOpen(credited) + " OPEN");
        assertThat(evm.balanceOf(token, validator.address())).isEqualTo(credited);
        assertThat(evm.balanceOf(token, validator.address()))
            .isEqualTo(creditedTo(rpc, validator.address()));

        // Claiming twice pays nothing, whether the CLI or the contract is asked.
        failsWith(ascribe(claim), "nothing to claim");
        JsonNode proof =
            rpc.call(
                "ascribe_getRewardProof", validator.address().toString(), Quantities.toHex(epoch));
        assertThat(Quantities.parse(proof.path("cumulativeAmount").asText())).isEqualTo(credited);
        assertSignedByAQuorum(proof, root, genesis, evm, distributor, epoch);
        List<Hash> siblings = new ArrayList<>();
        proof.path("proof").forEach(h -> siblings.add(Hash.fromHex(h.asText())));
        assertThatThrownBy(() -> evm.claim(distributor, validator.address(), credited, siblings))
            .isInstanceOf(ContractRevertedException.class)
            .hasMessageContaining("NothingToClaim");
        assertThat(evm.balanceOf(token, validator.address())).isEqualTo(credited);

        // Mistakes on the command line are one line each, and send nothing.
        failsWith(ascribe(concat(claim, "--amount", "1")), "--amount and --proof go together");
        failsWith(
            ascribe(concat(claim, "--amount", "1", "--proof", "p.json", "--epoch", "1")),
            "does not go with --amount and --proof");
        // An ended epoch, so the answer depends on the distributor alone, not on how far the chain
        // got.
        failsWith(submitEpoch(url, anvil.url(), token, epoch), "pass --distributor " + distributor);

        // What the RPC says when there is nothing to serve or the request is malformed.
        assertRpcError(
            () -> rpc.call("ascribe_getEpochRoot", Quantities.toHex(epoch + 1000)),
            ChainApi.NOT_FOUND,
            "has not ended");
        assertRpcError(
            () ->
                rpc.call(
                    "ascribe_getRewardProof",
                    dev.get(7).address().toString(),
                    Quantities.toHex(epoch)),
            ChainApi.NOT_FOUND,
            "earned nothing");
        assertRpcError(
            () -> rpc.call("ascribe_getRewardProof", validator.address().toString(), 1),
            RpcException.INVALID_PARAMS,
            "parameter 1 (epoch) must be a hex quantity");
        assertRpcError(
            () -> rpc.call("ascribe_getRewards", "0x1234"),
            RpcException.INVALID_PARAMS,
            "parameter 0 (address)");
      }
    }
  }

  /**
   * The relayer can put a newer epoch's root on the distributor while a claim is on its way: the
   * claim, checked against the older root, is mined after the newer one and reverts. anvil mines by
   * hand here, so that block is made on purpose: the CLI's claim waits in the pool, the newer root
   * goes in ahead of it with a higher tip, and one block holds both. With {@code --epoch} pinned
   * the CLI reports the revert by its error; without, it takes the newer epoch's proof and claims
   * again, and the wallet holds what the newer epoch credits it.
   */
  @Test
  void aClaimOvertakenByANewerRootTriesAgainWithThatEpochsProof(@TempDir Path dir)
      throws Exception {
    Genesis genesis = genesis();
    try (Anvil anvil = Anvil.start()) {
      Contracts deployed = deploy(anvil, genesis, dir);
      Address token = deployed.token();
      Address distributor = deployed.distributor();
      SettlementClient evm = new SettlementClient(anvil.web3j(), relayer);
      try (AscribeNode node =
          AscribeNode.start(
              new NodeConfig(dir.resolve("chain"), genesis, validator, "127.0.0.1", 0, -1))) {
        String url = node.rpcUrl();
        RpcClient rpc = new RpcClient(url);
        long[] epochs = new long[3];
        for (int i = 0; i < epochs.length; i++) {
          epochs[i] = endedEpochAfter(url, payFees(rpc, url, genesis, i, 1));
        }
        assertThat(succeeds(submitEpoch(url, anvil.url(), distributor, epochs[0])))
            .contains("submitted epoch " + epochs[0]);
        String[] claim = claimArgs(url, anvil.url(), distributor);
        anvil.rpc("evm_setAutomine", List.of(false));

        // Pinned to the distributor's epoch, the overtaken claim fails, naming why.
        CompletableFuture<Run> pinned =
            CompletableFuture.supplyAsync(
                () -> ascribe(concat(claim, "--epoch", Long.toString(epochs[0]))));
        overtake(anvil, rpc, distributor, epochs[1], pinned);
        failsWith(pinned.get(WAIT.toSeconds(), TimeUnit.SECONDS), "InvalidProof");
        assertThat(evm.latestEpoch(distributor)).isEqualTo(epochs[1]);
        assertThat(evm.claimed(distributor, validator.address())).isZero();

        // Unpinned, it claims again with the proof of the epoch that overtook it.
        CompletableFuture<Run> retried = CompletableFuture.supplyAsync(() -> ascribe(claim));
        overtake(anvil, rpc, distributor, epochs[2], retried);
        assertThat(evm.latestEpoch(distributor)).isEqualTo(epochs[2]);
        assertThat(evm.claimed(distributor, validator.address())).isZero();
        awaitPending(anvil, validator.address(), retried);
        anvil.rpc("evm_mine", List.of());
        BigInteger credited = creditedIn(rpc, epochs[2]);
        assertThat(credited).isGreaterThan(creditedIn(rpc, epochs[1]));
        assertThat(succeeds(retried.get(WAIT.toSeconds(), TimeUnit.SECONDS)))
            .contains("claimed " + Amount.formatOpen(credited) + " OPEN")
            .contains("epoch " + epochs[2]);
        assertThat(evm.balanceOf(token, validator.address())).isEqualTo(credited);
      }
    }
  }

  /** What the validator's proof for {@code epoch} says it has earned in all. */
  private BigInteger creditedIn(RpcClient rpc, long epoch) {
    return Quantities.parse(
        rpc.call("ascribe_getRewardProof", validator.address().toString(), Quantities.toHex(epoch))
            .path("cumulativeAmount")
            .asText());
  }

  /**
   * Once the CLI's claim waits in anvil's pool, sends {@code epoch}'s root ahead of it and mines
   * one block with both.
   */
  private void overtake(
      Anvil anvil, RpcClient rpc, Address distributor, long epoch, CompletableFuture<Run> cli)
      throws IOException {
    awaitPending(anvil, validator.address(), cli);
    JsonNode root = rpc.call("ascribe_getEpochRoot", Quantities.toHex(epoch));
    List<byte[]> signatures = new ArrayList<>();
    root.path("signatures").forEach(h -> signatures.add(Hex.decode(h.asText())));
    String calldata =
        RewardDistributor.load(
                distributor.toString(),
                anvil.web3j(),
                Credentials.create(relayer.toHex()),
                new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO))
            .submitEpoch(
                BigInteger.valueOf(epoch),
                Hash.fromHex(root.path("root").asText()).toArray(),
                signatures)
            .encodeFunctionCall();
    sendAheadOfThePool(anvil, relayer, distributor, calldata);
    anvil.rpc("evm_mine", List.of());
  }

  /** The first epoch to end after {@code height}, once the chain has ended it. */
  private static long endedEpochAfter(String url, long height) throws InterruptedException {
    long epoch = height / EPOCH_LENGTH + 1;
    try (HeadSubscription heads = HeadSubscription.open(url)) {
      heads.awaitHeight(epoch * EPOCH_LENGTH, WAIT);
    }
    return epoch;
  }

  /**
   * Waits until {@code sender} has a transaction in anvil's pool that is not mined yet, or fails
   * with what the CLI said if it ended first.
   */
  private static void awaitPending(Anvil anvil, Address sender, CompletableFuture<Run> cli) {
    LocalTestnet.await(
        "a transaction from " + sender + " waits in anvil's pool",
        () -> {
          if (cli.isDone()) {
            Run run = cli.join();
            throw new AssertionError("the CLI ended first: " + run.out() + run.err());
          }
          return nonce(anvil, sender, DefaultBlockParameterName.PENDING)
              .subtract(nonce(anvil, sender, DefaultBlockParameterName.LATEST));
        },
        waiting -> waiting.signum() > 0);
  }

  private static BigInteger nonce(Anvil anvil, Address sender, DefaultBlockParameterName block) {
    try {
      return anvil
          .web3j()
          .ethGetTransactionCount(sender.toString(), block)
          .send()
          .getTransactionCount();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends {@code calldata} to {@code to} with ten times the tip anvil suggests (which the CLI's
   * claim pays) and a gwei more, so anvil, ordering its pool by fees, mines it first.
   */
  private static void sendAheadOfThePool(Anvil anvil, PrivateKey key, Address to, String calldata)
      throws IOException {
    var web3j = anvil.web3j();
    Address from = key.address();
    BigInteger tip =
        web3j
            .ethMaxPriorityFeePerGas()
            .send()
            .getMaxPriorityFeePerGas()
            .multiply(BigInteger.TEN)
            .add(BigInteger.valueOf(1_000_000_000)); // ahead even if anvil suggests no tip
    BigInteger baseFee =
        web3j
            .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)
            .send()
            .getBlock()
            .getBaseFeePerGas();
    RawTransaction tx =
        RawTransaction.createTransaction(
            Anvil.CHAIN_ID,
            nonce(anvil, from, DefaultBlockParameterName.PENDING),
            BigInteger.valueOf(1_000_000),
            to.toString(),
            BigInteger.ZERO,
            calldata,
            tip,
            baseFee.multiply(BigInteger.TWO).add(tip));
    String signed =
        Numeric.toHexString(
            TransactionEncoder.signMessage(tx, Anvil.CHAIN_ID, Credentials.create(key.toHex())));
    var sent = web3j.ethSendRawTransaction(signed).send();
    assertThat(sent.hasError()).as("anvil refused the root: %s", sent.getError()).isFalse();
  }

  /** The contracts {@code ascribe evm deploy} put on anvil. */
  private record Contracts(Address token, Address distributor) {}

  /**
   * Writes {@code genesis} into {@code dir} and runs {@code ascribe evm deploy} for its validators,
   * by dev account 0.
   */
  private Contracts deploy(Anvil anvil, Genesis genesis, Path dir) throws IOException {
    Path genesisFile = dir.resolve("genesis.json");
    GenesisWriter.write(genesis, genesisFile);
    // The devnet's validators sign for the distributor dev account 0 deploys first on a fresh
    // anvil; it mints only the reward pool, so its wallet holds no OPEN but what it claims.
    JsonNode deployed =
        JSON.readTree(
            succeeds(
                ascribe(
                    "evm",
                    "deploy",
                    "--evm-rpc",
                    anvil.url(),
                    "--key",
                    validator.toHex(),
                    "--validators",
                    genesisFile.toString(),
                    "--supply",
                    "1000",
                    "--reward-pool",
                    "1000")));
    return new Contracts(
        Address.fromHex(deployed.path("token").asText()),
        Address.fromHex(deployed.path("distributor").asText()));
  }

  /**
   * The proof carries the epoch's root and signatures as ascribe_getEpochRoot serves them, and
   * those signatures recover, over the distributor's EIP-712 EpochRoot digest, to the listed
   * signers: distinct validators, in ascending order, of the set the distributor holds, with more
   * than 2/3 of its power.
   */
  private static void assertSignedByAQuorum(
      JsonNode proof,
      JsonNode epochRoot,
      Genesis genesis,
      SettlementClient evm,
      Address distributor,
      long epoch) {
    assertThat(proof.path("epoch").asText()).isEqualTo(Quantities.toHex(epoch));
    assertThat(proof.path("root")).isEqualTo(epochRoot.path("root"));
    assertThat(proof.path("validatorSetHash")).isEqualTo(epochRoot.path("validatorSetHash"));
    assertThat(proof.path("signers")).isEqualTo(epochRoot.path("signers"));
    assertThat(proof.path("signatures")).isEqualTo(epochRoot.path("signatures"));
    assertThat(Address.fromHex(proof.path("settlement").path("distributor").asText()))
        .isEqualTo(distributor);
    assertThat(Quantities.parseLong(proof.path("settlement").path("evmChainId").asText()))
        .isEqualTo(evm.chainId());

    ValidatorSet set = EvmCommand.Deploy.settlementSet(genesis);
    Hash setHash = Hash.fromHex(proof.path("validatorSetHash").asText());
    assertThat(setHash).isEqualTo(set.hash()).isEqualTo(evm.validatorSetHash(distributor));
    Hash digest =
        SettlementMessages.epochRootDigest(
            Eip712Domain.rewardDistributor(evm.chainId(), distributor),
            epoch,
            Hash.fromHex(proof.path("root").asText()),
            setHash);
    List<Address> recovered = new ArrayList<>();
    BigInteger signed = BigInteger.ZERO;
    for (JsonNode hex : proof.path("signatures")) {
      byte[] signature = Hex.decode(hex.asText());
      assertThat(signature).hasSize(Signature.SIZE);
      assertThat(signature[64]).isIn((byte) 27, (byte) 28);
      signature[64] -= 27; // the EVM's v back to core's recovery id
      Address signer = Secp256k1.recoverAddress(digest, Signature.fromBytes(signature));
      assertThat(set.powerOf(signer)).as("power of signer %s", signer).isPositive();
      recovered.add(signer);
      signed = signed.add(set.powerOf(signer));
    }
    List<Address> signers = new ArrayList<>();
    proof.path("signers").forEach(a -> signers.add(Address.fromHex(a.asText())));
    assertThat(recovered).isNotEmpty().containsExactlyElementsOf(signers).isSorted();
    assertThat(recovered).doesNotHaveDuplicates();
    assertThat(set.isQuorum(signed)).as("%s of %s power signed", signed, set.totalPower()).isTrue();
  }

  /**
   * Sends {@code count} fee-paying transfers from the payer's nonce {@code firstNonce} on and
   * returns the height that included the last.
   */
  private long payFees(RpcClient rpc, String url, Genesis genesis, int firstNonce, int count)
      throws InterruptedException {
    List<String> hashes = new ArrayList<>();
    for (int nonce = firstNonce; nonce < firstNonce + count; nonce++) {
      SignedTransaction tx =
          SignedTransaction.sign(
              TxBodies.transfer(
                  genesis.chainId(), nonce, FEE, dev.get(8).address(), Amount.ONE_OPEN),
              payer);
      hashes.add(rpc.call("ascribe_sendRawTransaction", Hex.encode(tx.encoded())).asText());
    }
    long included = 0;
    try (HeadSubscription heads = HeadSubscription.open(url)) {
      for (String hash : hashes) {
        JsonNode receipt;
        while ((receipt = rpc.call("ascribe_getTransactionReceipt", hash)).isNull()) {
          heads.next(WAIT);
        }
        assertThat(receipt.path("status").asText()).isEqualTo("success");
        included = Math.max(included, Quantities.parseLong(receipt.path("blockNumber").asText()));
      }
    }
    return included;
  }

  /** {@code ascribe rewards claim} for the validator's wallet, paid from its own key. */
  private String[] claimArgs(String url, String evmUrl, Address distributor) {
    return new String[] {
      "rewards",
      "claim",
      "--rpc",
      url,
      "--evm-rpc",
      evmUrl,
      "--distributor",
      distributor.toString(),
      "--key",
      validator.toHex()
    };
  }

  /** {@code ascribe rewards submit-epoch}, relayed by the relayer's key. */
  private Run submitEpoch(String url, String evmUrl, Address distributor, long epoch) {
    return ascribe(
        "rewards",
        "submit-epoch",
        "--rpc",
        url,
        "--evm-rpc",
        evmUrl,
        "--distributor",
        distributor.toString(),
        "--key",
        relayer.toHex(),
        "--epoch",
        Long.toString(epoch));
  }

  private static String[] concat(String[] args, String... more) {
    String[] out = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, out, args.length, more.length);
    return out;
  }

  private static void assertRpcError(Runnable call, int code, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(RpcClientException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
  }
}
