package io.ascribe.node.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ascribe.core.proto.SubmitTuningJob;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.DecimalE9;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.TuningSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A tuning job as its submitter writes it, in a JSON file:
 *
 * <pre>{@code
 * {"baseModel": "0x…", "datanet": "0x…", "method": "lora",
 *  "hyperparameters": {"rank": 8, "alpha": 16, "learningRate": "0.0002", "epochs": 2, "batchSize": 4},
 *  "seed": 7, "evalSplitBps": 2000, "fee": "2.5", "deadlineBlocks": 600}
 * }</pre>
 *
 * Every mistake in the file is found before anything is sent and reported at once, each by its JSON
 * path ({@code hyperparameters.rank}), with the same ranges the ledger enforces ({@link
 * TuningSpec#violations}). {@code rank} and {@code alpha} may be left out where the method does not
 * use them; amounts and rates are exact decimals, as strings or numbers.
 *
 * @param fee the escrow, in wei
 * @param deadlineBlocks blocks the executor has for its result, counted from the block that
 *     includes the job
 */
record JobSpec(
    Hash baseModel,
    Hash datanet,
    TuningSpec.Method method,
    TuningSpec.Hyperparameters hyperparameters,
    long seed,
    int evalSplitBps,
    BigInteger fee,
    long deadlineBlocks) {

  private static final List<String> FIELDS =
      List.of(
          "baseModel",
          "datanet",
          "method",
          "hyperparameters",
          "seed",
          "evalSplitBps",
          "fee",
          "deadlineBlocks");
  private static final List<String> HYPERPARAMETERS =
      List.of("rank", "alpha", "learningRate", "epochs", "batchSize");

  /** Where in the file each of {@link TuningSpec#violations}' settings is written. */
  private static final Map<String, String> PATHS =
      Map.of(
          "rank", "hyperparameters.rank",
          "alpha", "hyperparameters.alpha",
          "learningRate", "hyperparameters.learningRate",
          "epochs", "hyperparameters.epochs",
          "batchSize", "hyperparameters.batchSize",
          "evalBps", "evalSplitBps");

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  /**
   * Reads and checks a spec file.
   *
   * @throws UserErrorException when it cannot be read, is not JSON, or has any mistake: every one
   *     is named, by path
   */
  static JobSpec read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UserErrorException("there is no spec file " + file + ": check --spec");
    } catch (IOException e) {
      throw new UserErrorException("cannot read spec file " + file + ": " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /** Checks the spec in {@code text}; {@code name} names it in errors. */
  static JobSpec parse(String text, String name) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UserErrorException(
          name
              + " is not JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ": "
              + e.getOriginalMessage()
              + "); nothing was sent");
    }
    Reader reader = new Reader();
    Optional<JobSpec> spec = reader.spec(root == null ? JSON.nullNode() : root);
    if (!reader.problems.isEmpty()) {
      int count = reader.problems.size();
      throw new UserErrorException(
          name
              + " has "
              + count
              + (count == 1 ? " problem" : " problems")
              + ", nothing was sent: "
              + String.join("; ", reader.problems));
    }
    return spec.orElseThrow();
  }

  /** What a SubmitTuningJob transaction carries for this spec, due at {@code deadline}. */
  SubmitTuningJob toTx(long deadline) {
    return TxBodies.tuningJob(
        baseModel,
        datanet,
        method.toProto(),
        TxBodies.hyperparameters(
            hyperparameters.rank(),
            hyperparameters.alpha(),
            hyperparameters.learningRateE9(),
            hyperparameters.epochs(),
            hyperparameters.batchSize()),
        seed,
        evalSplitBps,
        fee,
        deadline);
  }

  /**
   * Reads the fields of one file, noting every problem by path instead of stopping at the first.
   */
  private static final class Reader {
    final List<String> problems = new ArrayList<>();

    Optional<JobSpec> spec(JsonNode root) {
      if (!root.isObject()) {
        problems.add("the spec must be a JSON object with the fields " + String.join(", ", FIELDS));
        return Optional.empty();
      }
      unknownFields(root, "", FIELDS);
      Optional<Hash> model = id(root, "baseModel");
      Optional<Hash> datanet = id(root, "datanet");
      Optional<TuningSpec.Method> method = method(root);
      Hyper hyper = hyperparameters(root);
      Optional<Long> seed = whole(root, "seed", "seed", Long.MAX_VALUE);
      Optional<Long> evalBps = whole(root, "evalSplitBps", "evalSplitBps", Integer.MAX_VALUE);
      Optional<BigInteger> fee = fee(root);
      Optional<Long> deadline = whole(root, "deadlineBlocks", "deadlineBlocks", Long.MAX_VALUE);
      if (deadline.isPresent() && deadline.get() < 1) {
        problems.add("deadlineBlocks: must be at least 1, got " + deadline.get());
      }
      // The ledger's ranges, for every setting that was readable: a setting already reported is
      // read as 0 here and its range left out, so each mistake is named once.
      Set<String> unchecked = new HashSet<>(hyper.unreadable());
      if (method.isEmpty()) {
        unchecked.addAll(List.of("rank", "alpha"));
      }
      if (evalBps.isEmpty()) {
        unchecked.add("evalBps");
      }
      for (TuningSpec.Violation v :
          TuningSpec.violations(
              method.orElse(TuningSpec.Method.LORA),
              hyper.values(),
              evalBps.orElse(0L).intValue())) {
        if (!unchecked.contains(v.setting())) {
          String path = PATHS.get(v.setting());
          boolean absent = hyper.absent().contains(v.setting());
          problems.add(path + ": " + (absent ? "missing (" + v.rule() + ")" : v.message()));
        }
      }
      if (!problems.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new JobSpec(
              model.orElseThrow(),
              datanet.orElseThrow(),
              method.orElseThrow(),
              hyper.values(),
              seed.orElseThrow(),
              evalBps.orElseThrow().intValue(),
              fee.orElseThrow(),
              deadline.orElseThrow()));
    }

    /**
     * The hyperparameters as read, each one that could not be read as 0.
     *
     * @param absent rank or alpha, left out (fine where the method does not use them)
     * @param unreadable the settings already reported as malformed or missing
     */
    private record Hyper(
        TuningSpec.Hyperparameters values, Set<String> absent, Set<String> unreadable) {}

    private Hyper hyperparameters(JsonNode root) {
      JsonNode node = root.get("hyperparameters");
      Set<String> absent = new HashSet<>();
      Set<String> unreadable = new HashSet<>();
      if (node == null || node.isNull() || !node.isObject()) {
        problems.add(
            node == null || node.isNull()
                ? "hyperparameters: missing (an object with "
                    + String.join(", ", HYPERPARAMETERS)
                    + ")"
                : "hyperparameters: must be an object, got " + describe(node));
        unreadable.addAll(List.of("rank", "alpha", "learningRate", "epochs", "batchSize"));
        return new Hyper(new TuningSpec.Hyperparameters(0, 0, 0, 0, 0), absent, unreadable);
      }
      unknownFields(node, "hyperparameters.", HYPERPARAMETERS);
      long rank = optionalWhole(node, "rank", absent, unreadable);
      long alpha = optionalWhole(node, "alpha", absent, unreadable);
      Optional<Long> learningRate = learningRate(node);
      Optional<Long> epochs = whole(node, "epochs", "hyperparameters.epochs", Integer.MAX_VALUE);
      Optional<Long> batchSize =
          whole(node, "batchSize", "hyperparameters.batchSize", Integer.MAX_VALUE);
      if (learningRate.isEmpty()) {
        unreadable.add("learningRate");
      }
      if (epochs.isEmpty()) {
        unreadable.add("epochs");
      }
      if (batchSize.isEmpty()) {
        unreadable.add("batchSize");
      }
      return new Hyper(
          new TuningSpec.Hyperparameters(
              (int) rank,
              (int) alpha,
              learningRate.orElse(0L),
              epochs.orElse(0L).intValue(),
              batchSize.orElse(0L).intValue()),
          absent,
          unreadable);
    }

    /** Rank or alpha: 0 when left out, which the range check then names as missing if needed. */
    private long optionalWhole(
        JsonNode node, String field, Set<String> absent, Set<String> unreadable) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        absent.add(field);
        return 0;
      }
      Optional<Long> read = whole(node, field, "hyperparameters." + field, Integer.MAX_VALUE);
      if (read.isEmpty()) {
        unreadable.add(field);
      }
      return read.orElse(0L);
    }

    private Optional<Long> learningRate(JsonNode node) {
      String path = "hyperparameters.learningRate";
      Optional<String> text = decimal(node.get("learningRate"), path, "\"0.0002\"");
      if (text.isEmpty()) {
        return Optional.empty();
      }
      try {
        return Optional.of(DecimalE9.parse(text.get()));
      } catch (IllegalArgumentException e) {
        problems.add(path + ": " + e.getMessage() + " (a learning rate such as \"0.0002\")");
        return Optional.empty();
      }
    }

    private Optional<BigInteger> fee(JsonNode root) {
      Optional<String> text = decimal(root.get("fee"), "fee", "\"2.5\" (OPEN)");
      if (text.isEmpty()) {
        return Optional.empty();
      }
      try {
        BigInteger wei = Amount.parseOpen(text.get());
        if (wei.signum() == 0) {
          problems.add("fee: must be more than 0 OPEN: it is the escrow the job pays from");
          return Optional.empty();
        }
        return Optional.of(wei);
      } catch (IllegalArgumentException e) {
        problems.add("fee: " + e.getMessage());
        return Optional.empty();
      }
    }

    /** A decimal written as a string or a number, as exact text; a problem if neither. */
    private Optional<String> decimal(JsonNode value, String path, String example) {
      if (value == null || value.isNull()) {
        problems.add(path + ": missing (a decimal such as " + example + ")");
        return Optional.empty();
      }
      if (value.isTextual()) {
        return Optional.of(value.textValue());
      }
      if (value.isNumber()) {
        return Optional.of(new BigDecimal(value.asText()).toPlainString());
      }
      problems.add(path + ": must be a decimal such as " + example + ", got " + describe(value));
      return Optional.empty();
    }

    private Optional<Hash> id(JsonNode root, String field) {
      JsonNode value = root.get(field);
      String expected = "a 32-byte id in 0x-prefixed hex";
      if (value == null || value.isNull()) {
        problems.add(field + ": missing (" + expected + ")");
        return Optional.empty();
      }
      if (!value.isTextual()) {
        problems.add(field + ": must be " + expected + ", got " + describe(value));
        return Optional.empty();
      }
      String text = value.textValue();
      try {
        if (!text.startsWith("0x")) {
          throw new IllegalArgumentException("it lacks the 0x prefix");
        }
        return Optional.of(Hash.fromHex(text));
      } catch (IllegalArgumentException e) {
        problems.add(
            field + ": must be " + expected + " (" + e.getMessage() + "), got \"" + text + "\"");
        return Optional.empty();
      }
    }

    private Optional<TuningSpec.Method> method(JsonNode root) {
      List<String> labels =
          Arrays.stream(TuningSpec.Method.values()).map(TuningSpec.Method::label).toList();
      JsonNode value = root.get("method");
      if (value == null || value.isNull()) {
        problems.add("method: missing (one of " + String.join(", ", labels) + ")");
        return Optional.empty();
      }
      Optional<TuningSpec.Method> method =
          value.isTextual() ? TuningSpec.Method.ofLabel(value.textValue()) : Optional.empty();
      if (method.isEmpty()) {
        problems.add(
            "method: must be one of " + String.join(", ", labels) + ", got " + describe(value));
      }
      return method;
    }

    /** A whole number from 0 to {@code max}; a problem, and empty, if it is not one. */
    private Optional<Long> whole(JsonNode node, String field, String path, long max) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        problems.add(path + ": missing (a whole number)");
        return Optional.empty();
      }
      if (!value.isIntegralNumber()
          || value.bigIntegerValue().signum() < 0
          || value.bigIntegerValue().compareTo(BigInteger.valueOf(max)) > 0) {
        problems.add(
            path + ": must be a whole number from 0 to " + max + ", got " + describe(value));
        return Optional.empty();
      }
      return Optional.of(value.longValue());
    }

    private void unknownFields(JsonNode object, String prefix, List<String> known) {
      object
          .fieldNames()
          .forEachRemaining(
              field -> {
                if (!known.contains(field)) {
                  problems.add(
                      prefix
                          + field
                          + ": not a field of "
                          + (prefix.isEmpty() ? "a job spec" : "the hyperparameters")
                          + " (the fields are "
                          + String.join(", ", known)
                          + ")");
                }
              });
    }

    private static String describe(JsonNode value) {
      return switch (value.getNodeType()) {
        case STRING -> "\"" + value.textValue() + "\"";
        case NUMBER, BOOLEAN -> value.asText();
        case ARRAY -> "an array";
        case OBJECT -> "an object";
        default -> value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
      };
    }
  }
}
