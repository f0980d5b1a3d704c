package io.ascribe.genesis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.Genesis.Allocation;
import io.ascribe.genesis.Genesis.GenesisValidator;
import io.ascribe.genesis.ProtocolParams.FeeSplit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Turns a {@link Genesis} into the JSON that {@link GenesisLoader} reads: a readable file for
 * {@code ascribe init}, and a canonical form whose keccak256 is the genesis {@link #hash}, which
 * nodes compare to be sure they start from the same chain. Every method first checks the genesis
 * with {@link GenesisRules}, so nothing written here fails to load.
 */
public final class GenesisWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private GenesisWriter() {}

  /**
   * The genesis as indented JSON, fields in the documented order, lines ending in {@code \n} on
   * every platform.
   *
   * @throws InvalidGenesisException when {@code genesis} breaks a rule
   */
  public static String toJson(Genesis genesis) {
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter pretty =
        new DefaultPrettyPrinter()
            .withSeparators(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(indenter)
            .withArrayIndenter(indenter);
    return serialise(tree(genesis), pretty) + "\n";
  }

  /** Writes {@link #toJson} to {@code path}, replacing any file there. */
  public static void write(Genesis genesis, Path path) throws IOException {
    Files.writeString(path, toJson(genesis), StandardCharsets.UTF_8);
  }

  /**
   * The canonical encoding: the same JSON with object keys sorted and no whitespace. Amounts are
   * written by {@link Amount#formatOpen} (no trailing zeros), addresses in EIP-55 form and the time
   * by {@link java.time.Instant#toString}, so each genesis has exactly one canonical text.
   */
  public static String toCanonicalJson(Genesis genesis) {
    return serialise(sorted(tree(genesis)), null);
  }

  /** keccak256 of the UTF-8 bytes of {@link #toCanonicalJson}: equal exactly when geneses are. */
  public static Hash hash(Genesis genesis) {
    return Keccak.hash(toCanonicalJson(genesis).getBytes(StandardCharsets.UTF_8));
  }

  private static ObjectNode tree(Genesis genesis) {
    GenesisRules.validate(genesis);
    ObjectNode root = NODES.objectNode();
    root.put("chainId", genesis.chainId());
    root.put("genesisTime", genesis.genesisTime().toString());
    ArrayNode validators = root.putArray("validators");
    for (GenesisValidator validator : genesis.validators()) {
      validators
          .addObject()
          .put("address", validator.address().toString())
          .put("stake", Amount.formatOpen(validator.stake()));
    }
    ArrayNode allocations = root.putArray("allocations");
    for (Allocation allocation : genesis.allocations()) {
      allocations
          .addObject()
          .put("address", allocation.address().toString())
          .put("balance", Amount.formatOpen(allocation.balance()));
    }
    ProtocolParams params = genesis.params();
    ObjectNode json = root.putObject("params");
    json.put("blockTimeMs", params.blockTimeMs());
    json.put("epochLength", params.epochLength());
    json.put("validatorSetDelay", params.validatorSetDelay());
    // Written only when it is not the default (the evidence age), so existing genesis files and
    // the devnet's keep their hash, and two files that mean the same chain hash the same.
    if (!params.defaultUnbonding()) {
      json.put("unbondingBlocks", params.unbondingBlocks());
    }
    json.put("minValidatorStake", Amount.formatOpen(params.minValidatorStake()));
    json.put("minFee", Amount.formatOpen(params.minFee()));
    json.put("maxBlockTxs", params.maxBlockTxs());
    FeeSplit split = params.feeSplit();
    json.putObject("feeSplit")
        .put("burnBps", split.burnBps())
        .put("validatorsBps", split.validatorsBps());
    json.put("bondLockBlocks", params.bondLockBlocks());
    ai(json.putObject("ai"), params.ai());
    // Absent when there is none, so the genesis of a chain that settles nowhere keeps its hash.
    genesis
        .settlement()
        .ifPresent(
            s ->
                root.putObject("settlement")
                    .put("evmChainId", s.evmChainId())
                    .put("distributor", s.distributor().toString()));
    // Written only when present, so a chain without a bridge keeps the genesis hash it had.
    genesis
        .bridge()
        .ifPresent(
            bridge ->
                root.putObject("bridge")
                    .put("evmChainId", bridge.evmChainId())
                    .put("address", bridge.address().toString())
                    .put("confirmations", bridge.confirmations()));
    return root;
  }

  private static void ai(ObjectNode json, AiParams ai) {
    AiParams.WorkFeeSplit split = ai.workFeeSplit();
    json.putObject("workFeeSplit")
        .put("contributorsBps", split.contributorsBps())
        .put("fineTunerBps", split.fineTunerBps())
        .put("executorBps", split.executorBps())
        .put("verifiersBps", split.verifiersBps())
        .put("validatorsBps", split.validatorsBps())
        .put("burnBps", split.burnBps());
    AiParams.Jobs jobs = ai.jobs();
    json.putObject("jobs")
        .put("verifiers", jobs.verifiers())
        .put("executorBond", Amount.formatOpen(jobs.executorBond()))
        .put("minJobFee", Amount.formatOpen(jobs.minJobFee()))
        .put("maxDeadlineBlocks", jobs.maxDeadlineBlocks())
        .put("fraudSlashBps", jobs.fraudSlashBps())
        .put("missedDeadlineSlashBps", jobs.missedDeadlineSlashBps())
        .put("verifyWindowBlocks", jobs.verifyWindowBlocks());
    AiParams.Inference inference = ai.inference();
    json.putObject("inference")
        .put("minRequestFee", Amount.formatOpen(inference.minRequestFee()))
        .put("challengeWindowBlocks", inference.challengeWindowBlocks())
        .put("scoreSumToleranceBps", inference.scoreSumToleranceBps())
        .put("fraudSlashBps", inference.fraudSlashBps());
    json.putObject("slashing")
        .put("doubleSignSlashBps", ai.slashing().doubleSignSlashBps())
        .put("evidenceMaxAgeBlocks", ai.slashing().evidenceMaxAgeBlocks());
  }

  /** A copy of {@code node} with the keys of every object, at any depth, in sorted order. */
  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      ObjectNode out = NODES.objectNode();
      for (String name : names) {
        out.set(name, sorted(node.get(name)));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = NODES.arrayNode();
      for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
        out.add(sorted(it.next()));
      }
      return out;
    }
    return node;
  }

  private static String serialise(JsonNode node, DefaultPrettyPrinter pretty) {
    try {
      return pretty == null
          ? JSON.writeValueAsString(node)
          : JSON.writer(pretty).writeValueAsString(node);
    } catch (JsonProcessingException e) {
      // Only strings, numbers, arrays and objects are in the tree, and each always serialises.
      throw new IllegalStateException("could not write a genesis JSON tree", e);
    }
  }
}
