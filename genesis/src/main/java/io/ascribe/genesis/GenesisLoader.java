package io.ascribe.genesis;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.Genesis.Allocation;
import io.ascribe.genesis.Genesis.GenesisValidator;
import io.ascribe.genesis.ProtocolParams.FeeSplit;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads a genesis file (the JSON shape is in the {@link io.ascribe.genesis package docs}) and
 * checks it with {@link GenesisRules}. It walks Jackson's tree rather than binding to classes so
 * that every problem, from a missing field to a misspelt one, is reported with its JSON path in an
 * {@link InvalidGenesisException}.
 */
public final class GenesisLoader {
  // Duplicate keys and trailing text are rejected: either way the file does not say one thing.
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private GenesisLoader() {}

  /**
   * Loads and validates the genesis file at {@code path}.
   *
   * @throws IOException when the file cannot be read, with the path and the reason in the message
   * @throws InvalidGenesisException when the content is not a valid genesis
   */
  public static Genesis load(Path path) throws IOException {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IOException("cannot read genesis file " + path + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new IOException("cannot read genesis file " + path + ": permission denied", e);
    } catch (IOException e) {
      throw new IOException("cannot read genesis file " + path + ": " + e.getMessage(), e);
    }
    return parse(text);
  }

  /**
   * Parses and validates genesis JSON.
   *
   * @throws InvalidGenesisException when the text is not JSON (naming line and column) or not a
   *     valid genesis (naming the field)
   */
  public static Genesis parse(String json) {
    JsonNode tree;
    try {
      tree = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new InvalidGenesisException(
          "", "not valid JSON" + where + ": " + e.getOriginalMessage());
    }
    if (tree == null || tree.isMissingNode()) {
      throw new InvalidGenesisException("", "the file is empty");
    }
    Genesis genesis = genesis(new Field(tree, ""));
    GenesisRules.validate(genesis);
    return genesis;
  }

  private static Genesis genesis(Field root) {
    root.requireObject(
        Set.of("settlement", "bridge"),
        "chainId",
        "genesisTime",
        "validators",
        "allocations",
        "params");
    return new Genesis(
        root.get("chainId").asLong(),
        root.get("genesisTime").asInstant(),
        root.get("validators").asList(GenesisLoader::validator),
        root.get("allocations").asList(GenesisLoader::allocation),
        params(root.get("params")),
        root.optional("settlement").map(GenesisLoader::settlement),
        root.optional("bridge").map(GenesisLoader::bridge));
  }

  private static Genesis.Settlement settlement(Field settlement) {
    settlement.requireObject("evmChainId", "distributor");
    return new Genesis.Settlement(
        settlement.get("evmChainId").asLong(), settlement.get("distributor").asAddress());
  }

  private static Genesis.Bridge bridge(Field bridge) {
    bridge.requireObject("evmChainId", "address", "confirmations");
    return new Genesis.Bridge(
        bridge.get("evmChainId").asLong(),
        bridge.get("address").asAddress(),
        bridge.get("confirmations").asInt());
  }

  private static GenesisValidator validator(Field entry) {
    entry.requireObject("address", "stake");
    return new GenesisValidator(entry.get("address").asAddress(), entry.get("stake").asOpen());
  }

  private static Allocation allocation(Field entry) {
    entry.requireObject("address", "balance");
    return new Allocation(entry.get("address").asAddress(), entry.get("balance").asOpen());
  }

  private static ProtocolParams params(Field params) {
    params.requireObject(
        Set.of("unbondingBlocks"),
        "blockTimeMs",
        "epochLength",
        "validatorSetDelay",
        "minValidatorStake",
        "minFee",
        "maxBlockTxs",
        "feeSplit",
        "bondLockBlocks",
        "ai");
    Field split = params.get("feeSplit");
    split.requireObject("burnBps", "validatorsBps");
    AiParams ai = ai(params.get("ai"));
    return new ProtocolParams(
        params.get("blockTimeMs").asLong(),
        params.get("epochLength").asLong(),
        params.get("validatorSetDelay").asLong(),
        params
            .optional("unbondingBlocks")
            .map(Field::asLong)
            .orElse(ai.slashing().evidenceMaxAgeBlocks()),
        params.get("minValidatorStake").asOpen(),
        params.get("minFee").asOpen(),
        params.get("maxBlockTxs").asInt(),
        new FeeSplit(split.get("burnBps").asInt(), split.get("validatorsBps").asInt()),
        params.get("bondLockBlocks").asLong(),
        ai);
  }

  private static AiParams ai(Field ai) {
    ai.requireObject("workFeeSplit", "jobs", "inference", "slashing");
    Field split = ai.get("workFeeSplit");
    split.requireObject(
        "contributorsBps",
        "fineTunerBps",
        "executorBps",
        "verifiersBps",
        "validatorsBps",
        "burnBps");
    Field jobs = ai.get("jobs");
    jobs.requireObject(
        "verifiers",
        "executorBond",
        "minJobFee",
        "maxDeadlineBlocks",
        "fraudSlashBps",
        "missedDeadlineSlashBps",
        "verifyWindowBlocks");
    Field inference = ai.get("inference");
    inference.requireObject(
        "minRequestFee", "challengeWindowBlocks", "scoreSumToleranceBps", "fraudSlashBps");
    Field slashing = ai.get("slashing");
    slashing.requireObject("doubleSignSlashBps", "evidenceMaxAgeBlocks");
    return new AiParams(
        new AiParams.WorkFeeSplit(
            split.get("contributorsBps").asInt(),
            split.get("fineTunerBps").asInt(),
            split.get("executorBps").asInt(),
            split.get("verifiersBps").asInt(),
            split.get("validatorsBps").asInt(),
            split.get("burnBps").asInt()),
        new AiParams.Jobs(
            jobs.get("verifiers").asInt(),
            jobs.get("executorBond").asOpen(),
            jobs.get("minJobFee").asOpen(),
            jobs.get("maxDeadlineBlocks").asLong(),
            jobs.get("fraudSlashBps").asInt(),
            jobs.get("missedDeadlineSlashBps").asInt(),
            jobs.get("verifyWindowBlocks").asLong()),
        new AiParams.Inference(
            inference.get("minRequestFee").asOpen(),
            inference.get("challengeWindowBlocks").asLong(),
            inference.get("scoreSumToleranceBps").asInt(),
            inference.get("fraudSlashBps").asInt()),
        new AiParams.Slashing(
            slashing.get("doubleSignSlashBps").asInt(),
            slashing.get("evidenceMaxAgeBlocks").asLong()));
  }

  /** A JSON value and its path from the root, so every conversion can say where it failed. */
  private record Field(JsonNode json, String path) {
    /** Checks that this is an object with exactly {@code names}: none missing, none unknown. */
    void requireObject(String... names) {
      requireObject(Set.of(), names);
    }

    /** As {@link #requireObject(String...)}, allowing the {@code optional} names as well. */
    void requireObject(Set<String> optional, String... names) {
      if (!json.isObject()) {
        throw fail("must be a JSON object, got " + describe(json));
      }
      Set<String> expected = new TreeSet<>(optional);
      expected.addAll(List.of(names));
      for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!expected.contains(name)) {
          throw new InvalidGenesisException(
              child(name), "unknown field; expected one of " + expected);
        }
      }
      for (String name : names) {
        if (!json.has(name)) {
          throw new InvalidGenesisException(child(name), "missing");
        }
      }
    }

    boolean has(String name) {
      return json.has(name);
    }

    Field get(String name) {
      return new Field(json.get(name), child(name));
    }

    /** The field {@code name}, or empty when it is absent (a JSON null is not absence). */
    Optional<Field> optional(String name) {
      return json.has(name) ? Optional.of(get(name)) : Optional.empty();
    }

    long asLong() {
      if (!json.isIntegralNumber()) {
        throw fail("must be an integer, got " + describe(json));
      }
      if (!json.canConvertToLong()) {
        throw fail("is out of range: " + json);
      }
      return json.longValue();
    }

    int asInt() {
      long value = asLong();
      if (value != (int) value) {
        throw fail("is out of range: " + value);
      }
      return (int) value;
    }

    String asText() {
      if (!json.isTextual()) {
        throw fail("must be a string, got " + describe(json));
      }
      return json.textValue();
    }

    Instant asInstant() {
      String text = asText();
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw fail(
            "must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, got \"" + text + "\"");
      }
    }

    Address asAddress() {
      try {
        return Address.fromHex(asText());
      } catch (IllegalArgumentException e) {
        throw fail(e.getMessage());
      }
    }

    /** An amount in OPEN as a decimal string; strings because JSON numbers lose precision. */
    BigInteger asOpen() {
      if (!json.isTextual()) {
        throw fail(
            "must be a decimal OPEN amount in a string, like \"1000\"; got " + describe(json));
      }
      try {
        return Amount.parseOpen(json.textValue());
      } catch (IllegalArgumentException e) {
        throw fail(e.getMessage());
      }
    }

    <T> List<T> asList(Function<Field, T> element) {
      if (!json.isArray()) {
        throw fail("must be a JSON array, got " + describe(json));
      }
      List<T> out = new ArrayList<>();
      for (int i = 0; i < json.size(); i++) {
        out.add(element.apply(new Field(json.get(i), path + "[" + i + "]")));
      }
      return out;
    }

    private String child(String name) {
      return path.isEmpty() ? name : path + "." + name;
    }

    private InvalidGenesisException fail(String problem) {
      return new InvalidGenesisException(path, problem);
    }

    private static String describe(JsonNode node) {
      return switch (node.getNodeType()) {
        case STRING -> "string " + node;
        case NUMBER -> "number " + node;
        case BOOLEAN -> "boolean " + node;
        case NULL -> "null";
        case ARRAY -> "an array";
        case OBJECT -> "an object";
        // Parsed text never yields the remaining kinds (binary, POJO, missing).
        default -> node.getNodeType().name();
      };
    }
  }
}
