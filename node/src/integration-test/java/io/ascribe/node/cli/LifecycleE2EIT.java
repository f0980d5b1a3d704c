package io.ascribe.node.cli;

import static io.ascribe.node.cli.LifecycleSteps.balance;
import static io.ascribe.node.cli.LifecycleSteps.cli;
import static io.ascribe.node.cli.LifecycleSteps.rewards;
import static io.ascribe.node.cli.LifecycleSteps.verses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.contracts.settlement.SettlementClient;
import io.ascribe.core.ai.InferenceRequest;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.AttributionScore;
import io.ascribe.core.tx.FeeAuthorisation;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.DecimalE9;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.node.client.RpcClient;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * The whole lifecycle across real processes, driven by the {@code ascribe} commands a user runs: a
 * testnet of four validators, the first two of them executors, settling on anvil with the contracts
 * deployed and a relayer ({@code testnet up --evm --executors 2}). Five wallets contribute the 63
 * verses of Proverbs 10 and 11 (King James Bible, public domain, from Debian's bible-kjv-text; see
 * {@code scripts/e2e-data.sh}) to a datanet; a LoRA job submitted as a transaction is drawn to one
 * executor, which is killed with SIGKILL mid-training and resumes from its checkpoint when started
 * again; the other executor verifies and accepts; the job is final, its adapter registered. A
 * wallet pays for 20 questions with citations, 10 to each executor, whose receipts are committed,
 * audited and settled; an epoch closes, the relayer submits its root, and every contributor (each
 * earned by attribution) claims with {@code ascribe rewards claim}: its OPEN on anvil equals {@code
 * ascribe_getRewards} to the wei. Last, a third validator declares the capability and posts a
 * receipt with inflated attribution: an executor re-executes it, challenges, the other upholds, and
 * the faker is slashed and the user refunded. Then a second job is drawn to an executor whose key
 * posts the first job's adapter with a made-up evaluation loss: the other executor recomputes it
 * and rejects, the key's bond is slashed and the submitter refunded.
 */
class LifecycleE2EIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 21;
  private static final long EPOCH_LENGTH = 20;

  /** How long the slow phases may take on a loaded 2-core machine: training, 100-block windows. */
  private static final Duration LONG_WAIT = Duration.ofMinutes(5);

  private static final List<String> QUESTIONS =
      List.of(
          "What maketh a glad father?",
          "What delivereth from death?",
          "What maketh rich?",
          "Who gathereth in summer?",
          "What covereth all sins?",
          "What is a well of life?",
          "Whose name shall rot?",
          "Where is wisdom found?",
          "What is the rich man's strong city?",
          "What tendeth to life?",
          "Who shall fall?",
          "What is the sluggard like?",
          "What is an abomination to the LORD?",
          "What cometh with pride?",
          "What shall guide the upright?",
          "What profiteth not in the day of wrath?",
          "What happens where no counsel is?",
          "What doeth the merciful man?",
          "Who shall flourish as a branch?",
          "What is a tree of life?");

  private final List<PrivateKey> dev = DevnetGenesis.devAccounts();
  private final PrivateKey modelOwner = dev.get(1);
  private final PrivateKey datanetOwner = dev.get(2);
  private final List<PrivateKey> contributors = dev.subList(3, 8);
  private final PrivateKey asker = dev.get(8);

  /** Asks nothing itself: the user of the receipt the faker inflates. */
  private final PrivateKey fakedUser = dev.get(0);

  @TempDir Path dir;
  @RegisterExtension final LocalTestnets testnets = new LocalTestnets();

  // What the phases learn and hand on, in the order they learn it.
  private LocalTestnet testnet;
  private String rpc;
  private List<Address> executors;
  private Hash modelId;
  private Hash datanet;
  private final Map<Hash, PrivateKey> contributedBy = new LinkedHashMap<>();
  private Hash tunedJob;
  private Hash adapter;
  private BigInteger price;
  private JsonNode lastAnswer;
  private long chargedAt;

  @Test
  void aDatanetIsTunedAskedPaidAndClaimedAsOpenAcrossProcesses() throws Exception {
    startTheTestnet();
    openTheDatanet();
    tuneAnAdapterThroughAKill();
    askTwentyPaidQuestions();
    settleRelayAndClaim();
    inflatedReceiptIsChallengedAndSlashed();
    madeUpMetricsAreRejectedSlashedAndRefunded();
  }

  /** Four validators, the first two executors with the base model in their homes, and anvil. */
  private void startTheTestnet() throws Exception {
    testnet =
        testnets.init(
            dir.resolve("testnet"),
            List.of(
                "--validators",
                "4",
                "--executors",
                "2",
                "--evm",
                "--audit-percent",
                "100",
                "--epoch-length",
                String.valueOf(EPOCH_LENGTH),
                "--block-time",
                "200",
                "--seed",
                String.valueOf(SEED)));
    Path model = LifecycleSteps.model(dir, dir.resolve("proverbs-model"));
    for (int i = 0; i < 2; i++) {
      copy(model, testnet.node(i).home().resolve("models").resolve("proverbs"));
    }
    testnet.start();
    // Transactions go through validator 3, which runs no AI work, as a wallet's node would.
    rpc = testnet.node(3).rpcUrl();
    executors = List.of(testnet.node(0).address(), testnet.node(1).address());
    for (Address executor : executors) {
      LocalTestnet.await(
          executor + " declares the inference capability by itself",
          () -> LocalTestnet.rpc(rpc).call("ascribe_getCapability", executor.toString()),
          c -> !c.isNull());
    }
  }

  /** The model registered, a datanet opened and five wallets contributing its documents. */
  private void openTheDatanet() throws Exception {
    Path model = dir.resolve("proverbs-model");
    modelId = LifecycleSteps.registerModel(rpc, modelOwner, model);
    datanet = LifecycleSteps.createDatanet(rpc, datanetOwner, "proverbs");
    List<String> verses = verses();
    assertThat(verses).hasSizeGreaterThanOrEqualTo(50);
    for (int c = 0; c < contributors.size(); c++) {
      List<String> share = new ArrayList<>();
      for (int v = c; v < verses.size(); v += contributors.size()) {
        share.add(verses.get(v));
      }
      Path file = Files.write(dir.resolve("share" + c + ".jsonl"), share);
      String out = LifecycleSteps.contribute(rpc, contributors.get(c), datanet, file);
      Matcher m = Pattern.compile("contribution (0x[0-9a-f]{64})").matcher(out);
      while (m.find()) {
        contributedBy.put(Hash.fromHex(m.group(1)), contributors.get(c));
      }
    }
    assertThat(contributedBy).as("every verse is a contribution").hasSize(verses.size());
  }

  /**
   * A LoRA job drawn to one executor, which is killed with SIGKILL mid-training and goes on from
   * its checkpoint when started again; the other executor verifies; the job is final.
   */
  private void tuneAnAdapterThroughAKill() throws Exception {
    Hash job = LifecycleSteps.submitJob(rpc, modelOwner, spec(modelId, datanet));
    JsonNode assigned = LocalTestnet.rpc(rpc).call("ascribe_getJob", job.toHex());
    int runner = executors.indexOf(Address.fromHex(assigned.path("executor").asText()));
    assertThat(runner).as("the job is drawn to an executor").isNotNegative();
    String runnerRpc = testnet.node(runner).rpcUrl();

    // SIGKILL mid-training, after its first checkpoint (step 25: the journal shows every 10th).
    JsonNode midway =
        LocalTestnet.await(
            "the executor trains past its first checkpoint",
            LONG_WAIT,
            () -> LocalTestnet.rpc(runnerRpc).call("ascribe_getJobWork", job.toHex()),
            w -> w.path("step").asInt() >= 30);
    assertThat(midway.path("step").asInt()).isLessThan(midway.path("totalSteps").asInt());
    ProcessHandle killed = testnet.process(runner);
    killed.destroyForcibly();
    killed.onExit().join();
    testnet.relaunch(runner);
    LocalTestnet.awaitRpc(runnerRpc);

    JsonNode done =
        LocalTestnet.await(
            "the job is final",
            LONG_WAIT,
            () -> LocalTestnet.rpc(rpc).call("ascribe_getJob", job.toHex()),
            j -> j.path("status").asText().equals("final"));
    assertThat(done.path("attestations"))
        .singleElement()
        .satisfies(a -> assertThat(a.path("verdict").asText()).isEqualTo("accept"));
    JsonNode work = LocalTestnet.rpc(runnerRpc).call("ascribe_getJobWork", job.toHex());
    assertThat(work.path("phase").asText()).isEqualTo("done");
    assertThat(work.path("resumedFromStep").asInt())
        .as("training went on from a checkpoint after the kill")
        .isGreaterThanOrEqualTo(25);
    assertThat(work.path("timingsMs").fieldNames())
        .toIterable()
        .contains("fetch", "train", "eval", "attribution", "post");
    String log = Files.readString(testnet.node(runner).home().resolve("node.log"));
    assertThat(Pattern.compile("Job " + job.toHex() + ": posted its result").matcher(log).results())
        .as("both runs of the executor together posted one result")
        .hasSize(1);
    String status = cli(runnerRpc, "job", "status", "--id", job.toHex());
    System.out.println(status);
    assertThat(status)
        .as("job status shows the time each phase took")
        .containsPattern(
            "took\\s+fetch [\\d.]+ s, train [\\d.]+ s, eval [\\d.]+ s, attribution [\\d.]+ s,"
                + " post [\\d.]+ s");
    tunedJob = job;
    adapter = Adapter.idOf(job);
    assertThat(
            LocalTestnet.rpc(rpc)
                .call("ascribe_getAdapter", adapter.toHex())
                .path("baseModel")
                .asText())
        .isEqualTo(modelId.toHex());
  }

  /**
   * Twenty paid questions, ten to each executor; the second ten once the first ten are charged,
   * because each quote counts only the spending this executor knows of (ADR 009, known limits).
   */
  private void askTwentyPaidQuestions() throws Exception {
    price =
        Quantities.parse(
            LocalTestnet.rpc(testnet.node(0).rpcUrl())
                .call("ascribe_inferenceQuote", asker.address().toString())
                .path("minFee")
                .asText());
    BigInteger askerBefore = balance(rpc, asker.address());
    for (int e = 0; e < 2; e++) {
      String executorRpc = testnet.node(e).rpcUrl();
      for (int q = e * 10; q < e * 10 + 10; q++) {
        JsonNode answer =
            JSON.readTree(
                cli(
                    executorRpc,
                    "chat",
                    "--key",
                    asker.toHex(),
                    "--model",
                    modelId.toHex(),
                    "--adapter",
                    adapter.toHex(),
                    "--datanet",
                    datanet.toHex(),
                    "--prompt",
                    QUESTIONS.get(q),
                    "--top-k",
                    "2",
                    "--max-tokens",
                    "16",
                    "--json"));
        assertThat(answer.path("executor").asText()).isEqualTo(executors.get(e).toString());
        assertThat(answer.path("citations")).hasSize(2);
        long positive = 0;
        for (JsonNode c : answer.path("citations")) {
          assertThat(contributedBy).containsKey(Hash.fromHex(c.path("contribution").asText()));
          positive += Math.max(0, c.path("ppm").asLong());
        }
        assertThat(positive).as("shares of %s", answer).isEqualTo(1_000_000L);
        lastAnswer = answer;
      }
      BigInteger charged = price.multiply(BigInteger.valueOf(10L * (e + 1)));
      LocalTestnet.await(
          "the receipts of executor " + e + " are committed and charged",
          LONG_WAIT,
          () -> balance(rpc, asker.address()),
          b -> b.equals(askerBefore.subtract(charged)));
    }
    chargedAt = LocalTestnet.height(rpc);
  }

  /**
   * Every receipt held for its challenge window and then settled; an epoch closes after that and
   * the relayer submits its root. The relayer is then stopped, so that the root the wallets prove
   * against holds still while they claim one after another.
   */
  private void settleRelayAndClaim() throws Exception {
    // The testnet keeps the devnet's AI rules but for the verifier count.
    long window = DevnetGenesis.create().params().ai().inference().challengeWindowBlocks();
    long settled = chargedAt + window + 1;
    long epoch = settled / EPOCH_LENGTH + 1;
    LocalTestnet.Evm evm = testnet.evm();
    Web3j web3j = Web3j.build(new HttpService(evm.rpcUrl()));
    try {
      SettlementClient settlement = new SettlementClient(web3j, dev.get(9));
      LocalTestnet.await(
          "the relayer submits epoch " + epoch,
          LONG_WAIT,
          () -> settlement.latestEpoch(evm.distributor()),
          held -> held >= epoch);
      // Each executor's receipts are on chain in its batches, every one paid out.
      for (Address executor : executors) {
        JsonNode batches =
            LocalTestnet.rpc(rpc)
                .call("ascribe_listInferenceBatches", Map.of("executor", executor.toString()))
                .path("batches");
        int receipts = 0;
        for (JsonNode batch : batches) {
          assertThat(batch.path("status").asText()).as("batch %s", batch).isEqualTo("settled");
          for (JsonNode receipt : batch.path("receipts")) {
            assertThat(receipt.path("status").asText()).isEqualTo("paid");
            receipts++;
          }
        }
        assertThat(receipts).as("receipts posted by %s", executor).isEqualTo(10);
      }
      ProcessHandle relayer = ProcessHandle.of(evm.relayerPid()).orElseThrow();
      relayer.destroy();
      relayer.onExit().join();

      for (PrivateKey wallet : contributors) {
        BigInteger earned = rewards(rpc, wallet.address());
        assertThat(earned).as("%s earned by attribution", wallet.address()).isPositive();
        assertThat(
                cli(
                    rpc,
                    "rewards",
                    "claim",
                    "--evm-rpc",
                    evm.rpcUrl(),
                    "--distributor",
                    evm.distributor().toString(),
                    "--key",
                    wallet.toHex()))
            .contains("claimed");
        assertThat(settlement.balanceOf(evm.token(), wallet.address()))
            .as("%s's OPEN on anvil", wallet.address())
            .isEqualTo(earned);
      }
    } finally {
      web3j.shutdown();
    }
  }

  /**
   * Validator 2 declares the capability and posts, for a request a user really authorised, the
   * answer an honest executor gave but all of the attribution on the document it credited least.
   */
  private void inflatedReceiptIsChallengedAndSlashed() throws Exception {
    JsonNode honest = lastAnswer;
    PrivateKey faker = TestnetCommand.validatorKey(SEED, 2);
    String fakerRpc = testnet.node(2).rpcUrl();
    cli(fakerRpc, "validator", "declare-capability", "--key", faker.toHex());
    BigInteger bond = capabilityBond(rpc, faker.address());
    BigInteger userBefore = balance(rpc, fakedUser.address());

    InferenceRequest request =
        new InferenceRequest(QUESTIONS.getLast(), modelId, Optional.of(adapter), datanet, 2, 16);
    assertThat(request.hash().toHex()).isEqualTo(honest.path("requestHash").asText());
    // The faker publishes the request as an honest executor does, so that others can re-run it.
    RpcClient fakerNode = LocalTestnet.rpc(fakerRpc);
    fakerNode.call("ascribe_putContent", Hex.encode(request.preimage()));
    fakerNode.call("ascribe_putContent", Hex.encode(request.promptBytes()));
    JsonNode least =
        Stream.of(honest.path("citations").get(0), honest.path("citations").get(1))
            .min(Comparator.comparingLong(c -> c.path("ppm").asLong()))
            .orElseThrow();
    AttributionScore inflated =
        AttributionScore.newBuilder()
            .setContribution(
                com.google.protobuf.ByteString.copyFrom(
                    Hash.fromHex(least.path("contribution").asText()).toArray()))
            .setScorePpm(1_000_000L)
            .build();
    TxSender sender = LifecycleSteps.sender(rpc, faker);
    FeeAuthorisation authorisation =
        new FeeAuthorisation(
            sender.chainId(),
            fakedUser.address(),
            faker.address(),
            0,
            price,
            price,
            request.hash());
    JsonNode receipt =
        sender.awaitReceipt(
            sender
                .send(
                    (chainId, nonce, fee) ->
                        TxBodies.submitInferenceReceipts(
                            chainId,
                            nonce,
                            fee,
                            List.of(
                                TxBodies.inferenceReceipt(
                                    request.hash(),
                                    modelId,
                                    Optional.of(adapter),
                                    datanet,
                                    List.of(inflated),
                                    Hash.fromHex(honest.path("outputHash").asText()),
                                    authorisation.signed(fakedUser)))))
                .hash());
    assertThat(receipt.path("status").asText()).as("%s", receipt).isEqualTo("success");
    assertThat(balance(rpc, fakedUser.address())).isEqualTo(userBefore.subtract(price));

    LocalTestnet.await(
        "an executor re-executes the receipt, challenges it, the other upholds: the faker is"
            + " slashed",
        LONG_WAIT,
        () -> capabilityBond(rpc, faker.address()),
        b -> b.compareTo(bond) < 0);
    assertThat(balance(rpc, fakedUser.address())).as("the user is refunded").isEqualTo(userBefore);
    JsonNode batch =
        LocalTestnet.rpc(rpc)
            .call("ascribe_listInferenceBatches", Map.of("executor", faker.address().toString()))
            .path("batches")
            .get(0);
    String challengeId = batch.path("receipts").get(0).path("challenge").asText();
    JsonNode challenge = LocalTestnet.rpc(rpc).call("ascribe_getReceiptChallenge", challengeId);
    assertThat(challenge.path("status").asText()).isEqualTo("upheld");
    assertThat(List.of(challenge.path("challenger").asText()))
        .as("an executor that re-executed the receipt challenged it")
        .containsAnyElementsOf(executors.stream().map(Address::toString).toList());
    assertThat(challenge.path("votes"))
        .singleElement()
        .satisfies(v -> assertThat(v.path("verdict").asText()).isEqualTo("uphold"));
  }

  /**
   * A second job with the first one's spec, drawn to one of the two executors (the faker of the
   * previous phase, its bond no longer whole, is drawn no more). Its process is killed at once and
   * the test posts in its name what a lazy executor would: the first job's adapter, which is what
   * this spec trains, and the first job's influence scores, but half the evaluation loss. The other
   * executor recomputes the figures, rejects with its own, and the job ends REJECTED: the
   * executor's bond slashed, the escrow back with the submitter.
   */
  private void madeUpMetricsAreRejectedSlashedAndRefunded() throws Exception {
    JsonNode honest = LocalTestnet.rpc(rpc).call("ascribe_getJob", tunedJob.toHex()).path("result");
    Hash adapterHash = Hash.fromHex(honest.path("adapterHash").asText());
    // The lazy executor publishes the old adapter through validator 3's node, so that peers serve
    // it.
    String adapterBytes =
        LocalTestnet.rpc(testnet.node(0).rpcUrl())
            .call("ascribe_getContent", adapterHash.toHex())
            .asText();
    LocalTestnet.rpc(rpc).call("ascribe_putContent", adapterBytes, adapterHash.toHex());

    Hash job = LifecycleSteps.submitJob(rpc, modelOwner, spec(modelId, datanet));
    BigInteger submitterAfterEscrow = balance(rpc, modelOwner.address());
    JsonNode assigned = LocalTestnet.rpc(rpc).call("ascribe_getJob", job.toHex());
    int lazy = executors.indexOf(Address.fromHex(assigned.path("executor").asText()));
    assertThat(lazy).as("the job is drawn to one of the two executors").isNotNegative();
    assertThat(assigned.path("verifiers"))
        .singleElement()
        .satisfies(v -> assertThat(v.asText()).isEqualTo(executors.get(1 - lazy).toString()));
    ProcessHandle killed = testnet.process(lazy);
    killed.destroyForcibly();
    killed.onExit().join();
    assertThat(LocalTestnet.rpc(rpc).call("ascribe_getJob", job.toHex()).path("status").asText())
        .as("the executor was killed before it could post")
        .isEqualTo("assigned");

    PrivateKey lazyKey = TestnetCommand.validatorKey(SEED, lazy);
    BigInteger bond = capabilityBond(rpc, lazyKey.address());
    long honestLossE9 = DecimalE9.parse(honest.path("evalLoss").asText());
    Map<Hash, Long> influence = new LinkedHashMap<>();
    for (JsonNode score : honest.path("influence")) {
      influence.put(
          Hash.fromHex(score.path("contribution").asText()),
          DecimalE9.parse(score.path("score").asText()));
    }
    TxSender sender = LifecycleSteps.sender(rpc, lazyKey);
    JsonNode posted =
        sender.awaitReceipt(
            sender
                .send(
                    (chainId, nonce, fee) ->
                        TxBodies.postTuningResult(
                            chainId,
                            nonce,
                            fee,
                            job,
                            adapterHash,
                            DecimalE9.parse(honest.path("finalLoss").asText()),
                            TxBodies.evalMetrics(
                                honestLossE9 / 2, DecimalE9.parse(honest.path("rougeL").asText())),
                            influence))
                .hash());
    assertThat(posted.path("status").asText()).as("%s", posted).isEqualTo("success");

    JsonNode rejected =
        LocalTestnet.await(
            "the other executor recomputes the result and rejects it",
            LONG_WAIT,
            () -> LocalTestnet.rpc(rpc).call("ascribe_getJob", job.toHex()),
            j -> j.path("status").asText().equals("rejected"));
    JsonNode rejection = rejected.path("attestations").get(0);
    assertThat(rejection.path("verifier").asText()).isEqualTo(executors.get(1 - lazy).toString());
    assertThat(rejection.path("verdict").asText()).isEqualTo("reject");
    assertThat(DecimalE9.parse(rejection.path("recomputed").path("evalLoss").asText()) / 1e9)
        .as("the verifier's own evaluation loss of the adapter is the honest one")
        .isCloseTo(honestLossE9 / 1e9, within(honestLossE9 / 1e11));
    assertThat(capabilityBond(rpc, lazyKey.address()))
        .as("the executor's bond is slashed")
        .isLessThan(bond);
    BigInteger escrow = Quantities.parse(rejected.path("escrow").asText());
    assertThat(Quantities.parse(rejected.path("settlement").path("refunded").asText()))
        .isEqualTo(escrow);
    assertThat(balance(rpc, modelOwner.address()))
        .as("the submitter has its escrow back")
        .isEqualTo(submitterAfterEscrow.add(escrow));
  }

  // ---- the files a user has -----------------------------------------------------------------

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  /**
   * A LoRA job long enough to be killed mid-training: 54 verses trained on (9 held out), batches of
   * 2 for 10 epochs, 270 steps.
   */
  private Path spec(Hash model, Hash datanet) throws IOException {
    return new LoraSpecFile(model, datanet, "0.005", 10, 2, "10", 1500)
        .write(dir.resolve("job.json"));
  }

  // ---- the commands and reads ---------------------------------------------------------------

  private static BigInteger capabilityBond(String rpc, Address account) {
    return Quantities.parse(
        LocalTestnet.rpc(rpc)
            .call("ascribe_getCapability", account.toString())
            .path("bond")
            .asText());
  }
}
