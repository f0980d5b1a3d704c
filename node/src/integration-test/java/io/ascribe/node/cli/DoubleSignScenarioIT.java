package io.ascribe.node.cli;

import static io.ascribe.node.cli.LocalTestnet.awaitRpc;
import static io.ascribe.node.cli.LocalTestnet.block;
import static io.ascribe.node.cli.LocalTestnet.height;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Quantities;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.ledger.state.ValidatorSet;
import io.ascribe.node.client.HeadSubscription;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.config.NodeHome;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Byzantine validator made the way operators make one by mistake: a failover copy of validator3
 * runs beside it with the same key, each with its own home, write-ahead log and signing guard, so
 * neither guard knows what the other signed. The other validators see the key sign two things for
 * one step, submit evidence, and the chain slashes and jails it while it keeps committing.
 *
 * <p>Why the copies equivocate every time the key's turn to propose comes: peers know a node by its
 * key, so each keeps one connection per key. The copy dials validator0 only, after the original is
 * connected, so validator0 talks to the copy and validators 1 and 2 to the original. The original
 * decides heights with validators 1 and 2; the copy, which hears only validator0, cannot, and
 * follows the chain by block sync instead. When the key proposes, each copy builds the block at a
 * different moment (the copy as soon as it imported the previous block, the original a block time
 * after starting the previous height), so the two blocks differ in time and hash. Both copies send
 * their proposal and prevote to validator0, which sees both.
 */
class DoubleSignScenarioIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;
  @RegisterExtension final LocalTestnets testnets = new LocalTestnets();

  @Test
  void aValidatorKeyRunTwiceIsSlashedAndJailedWhileTheChainCommits() throws Exception {
    LocalTestnet testnet = testnets.init(dir, 4, 200, 5).start();
    List<LocalTestnet.Node> nodes = testnet.nodes();
    String rpc0 = awaitRpc(nodes.get(0).rpcUrl());
    try (HeadSubscription heads = HeadSubscription.open(rpc0)) {
      heads.awaitHeight(2, WAIT);
    }

    NodeHome.Contents original = new NodeHome(nodes.get(3).home()).load();
    Address accused = original.validatorKey().address();
    Path copy = dir.resolve("validator3-copy");
    new NodeHome(copy).init(original.genesis(), original.validatorKey());
    Files.writeString(
        new NodeHome(copy).settingsFile(),
        "[rpc]\nport = "
            + TestnetCommand.freePort()
            + "\n\n[metrics]\nport = -1\n\n[p2p]\nport = "
            + TestnetCommand.freePort()
            + "\npersistent_peers = [\""
            + nodes.get(0).p2p()
            + "\"]\n");
    testnet.launch(copy);

    JsonNode evidence = awaitCommittedEvidence(rpc0, accused);
    long includedAt = Quantities.parseLong(evidence.path("blockNumber").asText());

    BigInteger stake = DevnetGenesis.VALIDATOR_STAKE;
    BigInteger slashBps =
        BigInteger.valueOf(original.genesis().params().ai().slashing().doubleSignSlashBps());
    assertThat(stakeOf(rpc0, accused))
        .isEqualTo(stake.subtract(stake.multiply(slashBps).divide(BigInteger.valueOf(10_000))));

    // Jailed: from the validator-set delay on, blocks are signed by the other three alone.
    List<ValidatorSet.Validator> honest = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      honest.add(new ValidatorSet.Validator(nodes.get(i).address(), stake));
    }
    String honestHash = new ValidatorSet(honest).hash().toHex();
    long leftAt = includedAt + original.genesis().params().validatorSetDelay();
    try (HeadSubscription heads = HeadSubscription.open(rpc0)) {
      heads.awaitHeight(leftAt + 5, WAIT);
    }
    for (long h = leftAt; h <= leftAt + 5; h++) {
      JsonNode block = block(rpc0, h, false);
      assertThat(block.path("validatorsHash").asText()).as("block %d", h).isEqualTo(honestHash);
      for (JsonNode signature : block.path("commit").path("signatures")) {
        assertThat(signature.path("validator").asText())
            .isNotEqualToIgnoringCase(accused.toString());
      }
    }
  }

  /** Reads blocks as they are committed until one holds successful evidence against {@code who}. */
  private static JsonNode awaitCommittedEvidence(String rpc, Address who) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    long next = 1;
    try (HeadSubscription heads = HeadSubscription.open(rpc)) {
      while (true) {
        for (long head = height(rpc); next <= head; next++) {
          Optional<JsonNode> receipt = evidenceIn(rpc, block(rpc, next, true), who);
          if (receipt.isPresent()) {
            return receipt.get();
          }
        }
        long left = deadline - System.nanoTime();
        assertThat(left).as("evidence against %s committed within %s", who, WAIT).isPositive();
        heads.next(Duration.ofNanos(left));
      }
    }
  }

  private static Optional<JsonNode> evidenceIn(String rpc, JsonNode block, Address who) {
    for (JsonNode tx : block.path("transactions")) {
      if ("submitEvidence".equals(tx.path("type").asText())
          && tx.path("accused").asText().equalsIgnoreCase(who.toString())) {
        JsonNode receipt =
            new RpcClient(rpc).call("ascribe_getTransactionReceipt", tx.path("hash").asText());
        if ("success".equals(receipt.path("status").asText())) {
          return Optional.of(receipt);
        }
      }
    }
    return Optional.empty();
  }

  private static BigInteger stakeOf(String rpc, Address who) {
    JsonNode proof = new RpcClient(rpc).call("ascribe_getProof", who.toString());
    return Quantities.parse(proof.path("account").path("stake").asText());
  }
}
