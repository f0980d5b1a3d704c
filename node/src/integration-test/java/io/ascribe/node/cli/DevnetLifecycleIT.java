package io.ascribe.node.cli;

import static io.ascribe.node.cli.LifecycleSteps.balance;
import static io.ascribe.node.cli.LifecycleSteps.cli;
import static io.ascribe.node.cli.LifecycleSteps.rewards;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.contracts.settlement.SettlementClient;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.ledger.ai.Adapter;
import io.ascribe.node.DevnetProcess;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * The README's devnet walkthrough, by its commands: {@code ascribe devnet --evm --executor} runs
 * the chain, anvil with the contracts, the relayer and the validator's AI work in one process. A
 * model is registered, two wallets contribute twelve verses to a datanet, a LoRA job is submitted,
 * trained by the devnet's validator, accepted when posted (the devnet asks no verifiers) and final
 * after its challenge window; a wallet asks two paid questions with citations; once their receipts
 * settle and an epoch closes, the relayer submits the root and each contributor claims its OPEN on
 * anvil: exactly {@code ascribe_getRewards}. Last, a job over a datanet whose bytes no node holds
 * ends at its deadline and is refunded.
 */
class DevnetLifecycleIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LONG_WAIT = Duration.ofMinutes(5);

  private final List<PrivateKey> dev = DevnetGenesis.devAccounts();
  private final PrivateKey submitter = dev.get(1);
  private final List<PrivateKey> contributors = dev.subList(3, 5);
  private final PrivateKey asker = dev.get(8);

  @Test
  void aJobIsTunedAndPaidQuestionsAreClaimedAsOpenOnTheDevnet(@TempDir Path dir) throws Exception {
    Path models = dir.resolve("models");
    Path model = LifecycleSteps.model(dir, models.resolve("proverbs"));
    Path data = dir.resolve("devnet-data");
    DevnetProcess devnet =
        DevnetProcess.start(
            data, 100, "--evm", "--evm-port", "0", "--executor", "--models", models.toString());
    Web3j web3j = null;
    try {
      String rpc = devnet.rpcUrl();
      Address validator = dev.get(0).address();
      LocalTestnet.await(
          "the devnet's validator declares the inference capability by itself",
          () -> LocalTestnet.rpc(rpc).call("ascribe_getCapability", validator.toString()),
          c -> !c.isNull());

      Hash modelId = LifecycleSteps.registerModel(rpc, submitter, model);
      Hash datanet = LifecycleSteps.createDatanet(rpc, dev.get(2), "proverbs");
      List<String> verses = LifecycleSteps.verses().subList(0, 12);
      for (int c = 0; c < contributors.size(); c++) {
        Path file =
            Files.write(dir.resolve("share" + c + ".jsonl"), verses.subList(c * 6, c * 6 + 6));
        LifecycleSteps.contribute(rpc, contributors.get(c), datanet, file);
      }

      Hash job =
          LifecycleSteps.submitJob(
              rpc,
              submitter,
              new LoraSpecFile(modelId, datanet, "0.005", 3, 2, "10", 1500)
                  .write(dir.resolve("job.json")));
      JsonNode assigned = LocalTestnet.rpc(rpc).call("ascribe_getJob", job.toHex());
      assertThat(assigned.path("executor").asText()).isEqualTo(validator.toString());
      assertThat(assigned.path("verifiers")).isEmpty();
      LocalTestnet.await(
          "the devnet's validator trains and posts; with no verifiers asked, it is accepted",
          LONG_WAIT,
          () -> LocalTestnet.rpc(rpc).call("ascribe_getJob", job.toHex()),
          j -> !j.path("status").asText().equals("assigned"));
      JsonNode done =
          LocalTestnet.await(
              "the job is final once its challenge window has passed",
              LONG_WAIT,
              () -> LocalTestnet.rpc(rpc).call("ascribe_getJob", job.toHex()),
              j -> j.path("status").asText().equals("final"));
      assertThat(done.path("attestations")).isEmpty();
      Hash adapter = Adapter.idOf(job);
      assertThat(cli(rpc, "job", "status", "--id", job.toHex())).contains("final");

      BigInteger price =
          Quantities.parse(
              LocalTestnet.rpc(rpc)
                  .call("ascribe_inferenceQuote", asker.address().toString())
                  .path("minFee")
                  .asText());
      BigInteger askerBefore = balance(rpc, asker.address());
      for (String question : List.of("What maketh a glad father?", "What delivereth from death?")) {
        JsonNode answer =
            JSON.readTree(
                cli(
                    rpc,
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
                    question,
                    "--top-k",
                    "2",
                    "--max-tokens",
                    "16",
                    "--json"));
        assertThat(answer.path("citations")).hasSize(2);
      }
      BigInteger charged = price.multiply(BigInteger.TWO);
      LocalTestnet.await(
          "the two receipts are committed and charged",
          LONG_WAIT,
          () -> balance(rpc, asker.address()),
          b -> b.equals(askerBefore.subtract(charged)));
      long chargedAt = LocalTestnet.height(rpc);

      // The receipts are paid out after their challenge window; the epoch after that carries it.
      long window = DevnetGenesis.create().params().ai().inference().challengeWindowBlocks();
      long epochLength = DevnetGenesis.create().params().epochLength();
      long epoch = (chargedAt + window + 1) / epochLength + 1;
      JsonNode settings = JSON.readTree(data.resolve("devnet.json").toFile()).path("evm");
      String evmRpc = settings.path("rpcUrl").asText();
      Address distributor = Address.fromHex(settings.path("distributor").asText());
      Address token = Address.fromHex(settings.path("token").asText());
      web3j = Web3j.build(new HttpService(evmRpc));
      SettlementClient settlement = new SettlementClient(web3j, dev.get(9));
      LocalTestnet.await(
          "the devnet's relayer submits epoch " + epoch,
          LONG_WAIT,
          () -> settlement.latestEpoch(distributor),
          held -> held >= epoch);
      JsonNode batches =
          LocalTestnet.rpc(rpc)
              .call("ascribe_listInferenceBatches", Map.of("executor", validator.toString()))
              .path("batches");
      assertThat(batches)
          .allSatisfy(b -> assertThat(b.path("status").asText()).isEqualTo("settled"));

      // The relayer keeps submitting an epoch after each: a claim whose root is replaced on its
      // way takes the new one's proof (RewardsCommand.Claim).
      for (PrivateKey wallet : contributors) {
        BigInteger earned = rewards(rpc, wallet.address());
        assertThat(earned).as("%s earned by attribution", wallet.address()).isPositive();
        assertThat(
                cli(
                    rpc,
                    "rewards",
                    "claim",
                    "--evm-rpc",
                    evmRpc,
                    "--distributor",
                    distributor.toString(),
                    "--key",
                    wallet.toHex()))
            .contains("claimed");
        assertThat(settlement.balanceOf(token, wallet.address()))
            .as("%s's OPEN on anvil", wallet.address())
            .isEqualTo(earned);
      }
      contentNobodyHasEndsTheJobAtItsDeadlineAndRefundsIt(rpc, dir, modelId);
    } finally {
      if (web3j != null) {
        web3j.shutdown();
      }
      devnet.stop();
    }
  }

  /**
   * A datanet whose records were put on the ledger but whose bytes no node holds (the contributor
   * sent its Contribute transactions without uploading the content): the job drawn for it cannot
   * fetch its documents, ends at its deadline, and the submitter has its escrow back.
   */
  private void contentNobodyHasEndsTheJobAtItsDeadlineAndRefundsIt(
      String rpc, Path dir, Hash modelId) throws Exception {
    Hash datanet = LifecycleSteps.createDatanet(rpc, dev.get(2), "unserved");
    Path file = Files.write(dir.resolve("unserved.jsonl"), LifecycleSteps.verses().subList(20, 30));
    PrivateKey contributor = dev.get(5);
    TxSender sender = LifecycleSteps.sender(rpc, contributor);
    String last = null;
    for (ContributionFile.Entry entry : ContributionFile.jsonl(file).entries()) {
      last =
          sender
              .send(
                  (chainId, nonce, fee) ->
                      TxBodies.contribute(
                          chainId,
                          nonce,
                          fee,
                          datanet,
                          entry.record().contentHash(),
                          entry.size(),
                          entry.minHash().values().stream().mapToLong(Long::longValue).toArray(),
                          Amount.ONE_OPEN))
              .hash();
    }
    JsonNode receipt = sender.awaitReceipt(last);
    assertThat(receipt.path("status").asText()).isEqualTo("success");

    Hash job =
        LifecycleSteps.submitJob(
            rpc,
            submitter,
            new LoraSpecFile(modelId, datanet, "0.005", 3, 2, "10", 40)
                .write(dir.resolve("unserved-job.json")));
    BigInteger afterEscrow = balance(rpc, submitter.address());
    JsonNode expired =
        LocalTestnet.await(
            "the job that cannot fetch its documents ends at its deadline",
            LONG_WAIT,
            () -> LocalTestnet.rpc(rpc).call("ascribe_getJob", job.toHex()),
            j -> j.path("status").asText().equals("expired"));
    BigInteger escrow = Quantities.parse(expired.path("escrow").asText());
    assertThat(Quantities.parse(expired.path("settlement").path("refunded").asText()))
        .isEqualTo(escrow);
    assertThat(balance(rpc, submitter.address()))
        .as("the submitter has its escrow back")
        .isEqualTo(afterEscrow.add(escrow));
    assertThat(LocalTestnet.height(rpc))
        .as("the devnet carries on")
        .isGreaterThan(Quantities.parseLong(expired.path("deadline").asText()));
  }
}
